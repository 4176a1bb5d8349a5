"""The hall: its named screens and what each shows, announcements, and the events' sessions
(场次) with their clock."""
