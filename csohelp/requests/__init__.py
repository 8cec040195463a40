"""Service requests: the model and its validation, attachments, the mail we send (to CSOL and
the receipt), forwarding from the outbox, and the agents' commands (list, show, export).

The store they live in is the database layer, csohelp/db/.
"""
