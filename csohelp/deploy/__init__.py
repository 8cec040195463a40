"""Deployment: the nginx server block, the caching policy shared with the app, rollback."""
