"""Deployment: systemd units, the nginx site, and a local trial of replicas behind it."""
