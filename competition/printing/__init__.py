"""What a contest prints: judges' score sheets, result sheets, the results book (成绩册), the
day's sign-in sheets, bib cards and judges' login cards, and the certificates' ZIP. The long
ones run as print jobs in a process of their own, their progress in the database."""
