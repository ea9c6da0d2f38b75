"""Reader drivers: hardware in, frozen-dataclass events out (GA/T 467 ID card readers over serial,
social-security cards over PC/SC, keyboard-wedge scanners over evdev), the table of known readers,
hotplug and udev rules."""
