"""Error reporting to Sentry, only when SENTRY_DSN is set (sentry-sdk is imported only then)."""

from django.core.exceptions import ImproperlyConfigured


def init_sentry(dsn, *, environment="production", release=None, traces_sample_rate=0.0):
    """Start the Sentry SDK with the Django integration; no personal data is sent."""
    if not dsn:
        return False
    if not 0.0 <= traces_sample_rate <= 1.0:
        raise ImproperlyConfigured("SENTRY_TRACES_SAMPLE_RATE must be between 0 and 1.")
    try:
        import sentry_sdk
        from sentry_sdk.integrations.django import DjangoIntegration
    except ImportError as error:
        raise ImproperlyConfigured(
            "SENTRY_DSN is set but sentry-sdk is not installed: pip install sentry-sdk==2.75.0"
        ) from error
    sentry_sdk.init(
        dsn=dsn,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        traces_sample_rate=traces_sample_rate,
        environment=environment,
        release=release or None,
    )
    return True
