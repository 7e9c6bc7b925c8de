"""Staff in the chat: invitations, role-checked commands and guided flows.

Every permission is checked on the server against the stored roles, on every
command, button and typed step (`bot.staff.access`); the chat's command menu
only mirrors what the roles allow (`bot.staff.menus`).
"""
