"""Lesson 10: where the management HTTP API is, who we are to it, and which vhost we look at.

The programs of this lesson import these three names. All come from the environment, with the
course's defaults written out:

    MANAGEMENT_URL   the API, with the user and password: http://course:course@127.0.0.1:15672/api/
    AMQP_URL         the broker; its path is the vhost ("%2F" is "/")
"""

import os
from urllib.parse import unquote, urlsplit

MANAGEMENT_URL = os.environ.get("MANAGEMENT_URL", "http://course:course@127.0.0.1:15672/api/")
AMQP_URL = os.environ.get("AMQP_URL", "amqp://course:course@127.0.0.1:5672/%2F")

_api = urlsplit(MANAGEMENT_URL)
# The API's URL without the password, fit to print; requests sends the credentials as basic auth.
API = f"{_api.scheme}://{_api.hostname}:{_api.port or 15672}{_api.path or '/api/'}"
AUTH = (unquote(_api.username or "guest"), unquote(_api.password or "guest"))
VHOST = unquote(urlsplit(AMQP_URL).path[1:]) or "/"
