"""The worker: ``safeshare worker`` runs every background job, so requests never do.

An edge, like ``web`` and the API: it imports the apps' job functions and calls them on a
schedule (``jobs.JOBS``). Each job holds a lease (``models.JobLease``) while it runs, so two
workers never run the same job at once, and a lease whose worker died is taken over when it
expires. A job that fails is tried again with a growing delay. See
docs/adr/0011-one-worker.md.
"""
