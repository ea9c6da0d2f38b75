"""Simulated readers and cards for tests and the demo: a GA/T 467 reader on a pseudo-terminal, a
virtual social-security card for vpcd, recorded scanner input and the demo's card reader."""
