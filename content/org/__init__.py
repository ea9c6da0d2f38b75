"""The org tree (province → city → county → street → community), its halls, their screens, groups,
tags and time zones."""
