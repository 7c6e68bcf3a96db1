"""RQ side of helpdesk: queues, thin jobs, the periodic schedule and the worker entry."""
