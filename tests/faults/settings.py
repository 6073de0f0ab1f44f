"""Settings of the servers and workers the fault tests start: the product's, plus the pause hook."""

from commonweal.config.settings import *  # noqa: F403
from commonweal.config.settings import INSTALLED_APPS, MIDDLEWARE

INSTALLED_APPS = [*INSTALLED_APPS, "tests.faults"]
MIDDLEWARE = ["tests.faults.hooks.PauseMiddleware", *MIDDLEWARE]
# Users are made by the seed in bulk; the production hasher is not what these tests are about.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
