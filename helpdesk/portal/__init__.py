"""The client company's own surface: portal accounts and invitations (``accounts``), and the
figures a client reads about itself (``figures``: SLA compliance per month, CSAT and QA,
agent hours on its tickets). The pages are ``helpdesk/web/portal``."""
