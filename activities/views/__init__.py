"""The activity pages (server-rendered, phone first): a station head's home, the list and the
calendar, one activity with its moves, photos, sign-ups and attendance, QR sign-in, the
volunteer's side, plans, brand projects, archives and the poster. Every object is read
through ``restrict`` (the page base classes of ``civic.views``); every write calls
``activities.services``."""
