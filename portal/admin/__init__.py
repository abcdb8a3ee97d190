"""The admin kit the apps build their admins on: the site, base classes, actions,
forms, history compare and login protection.

This package holds no ModelAdmin of its own: the philosophy content's admin is
``portal.philosophy_admin``, registered from ``PortalConfig.ready()``.
"""
