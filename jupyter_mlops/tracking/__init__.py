"""Tracking: experiments, runs, params, metrics, tags and artifacts."""
