"""makemessages that also extracts ``_t(...)``.

Several modules import ``gettext as _t`` (next to ``gettext_lazy as _``); xgettext only knows the standard keyword
names, so without this those strings would never reach the .po catalogues.
"""

from django.core.management.commands.makemessages import Command as MakeMessagesCommand


class Command(MakeMessagesCommand):
    xgettext_options = [*MakeMessagesCommand.xgettext_options, "--keyword=_t"]
