#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Another application: a small GTK 4 window whose label can be dragged as
plain text (the text is the first argument), as any editor or terminal
offers it.  It prints what happens to the drag on stdout, one line each:
READY <x11 window title>, DRAG-BEGIN, DRAG-CANCEL <reason>, DRAG-END."""

import sys

import gi

gi.require_version("Gdk", "4.0")
gi.require_version("Gtk", "4.0")
from gi.repository import Gdk, GObject, Gtk  # noqa: E402

TEXT = sys.argv[1] if len(sys.argv) > 1 else "db-01"
TITLE = sys.argv[2] if len(sys.argv) > 2 else "Text Source"


def say(line):
    print(line, flush=True)


def on_prepare(source, x, y):
    value = GObject.Value(GObject.TYPE_STRING, TEXT)
    return Gdk.ContentProvider.new_for_value(value)


def on_activate(app):
    win = Gtk.ApplicationWindow(application=app, title=TITLE)
    win.set_default_size(240, 80)
    label = Gtk.Label(label=TEXT)
    label.set_hexpand(True)
    label.set_vexpand(True)
    source = Gtk.DragSource(actions=Gdk.DragAction.COPY | Gdk.DragAction.MOVE)
    source.connect("prepare", on_prepare)
    source.connect("drag-begin", lambda s, d: say("DRAG-BEGIN"))
    source.connect("drag-cancel", lambda s, d, reason: say("DRAG-CANCEL " + reason.value_nick) or False)
    source.connect("drag-end", lambda s, d, delete: say("DRAG-END"))
    label.add_controller(source)
    win.set_child(label)
    win.connect("map", lambda w: say("READY " + TITLE))
    win.present()


app = Gtk.Application(application_id=None)
app.connect("activate", on_activate)
app.run([sys.argv[0]])
