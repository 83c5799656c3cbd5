"""`make messages`: each app with a ``locale/`` folder of its own keeps its own catalogue.

``makemessages`` files a string in the first catalogue whose folder's parent holds the source file,
so with the project catalogue in LOCALE_PATHS every app's strings would land there. Without it, the
catalogue is the ``locale/`` folder of the directory the command runs in (see the Makefile).
"""

from minsheng.settings.base import *  # noqa: F403

LOCALE_PATHS = []
