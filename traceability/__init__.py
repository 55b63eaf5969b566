"""Certification mirror, producers and (later) lots, labels and scans.

This package knows nothing of the shop or the CMS: they ask it questions through
`traceability.certification`.
"""
