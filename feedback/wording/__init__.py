"""The wording the agency owns: every message's subject and text, editable in the admin
per kind and party, rendered by a sandboxed template engine from plain values only. The
shipped files under templates/feedback/email/ are the defaults; a row overrides them."""
