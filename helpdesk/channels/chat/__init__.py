"""The live chat widget: ``conversations`` (a visitor's chat is a ticket; its transcript the messages)."""
