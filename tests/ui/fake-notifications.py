#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""A stand-in desktop notification server for the tests: owns
org.freedesktop.Notifications on the session bus (the tests' private one) and
appends "summary<TAB>body<TAB>id" for every notification to the file in
argv[1].  Prints "ready" once it owns the name.  A line "click ID" on its
standard input clicks that notification, as a person would (the
ActionInvoked signal with the "default" action)."""

import sys

import gi
gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

XML = """
<node>
  <interface name="org.freedesktop.Notifications">
    <method name="Notify">
      <arg type="s" direction="in"/><arg type="u" direction="in"/><arg type="s" direction="in"/>
      <arg type="s" direction="in"/><arg type="s" direction="in"/><arg type="as" direction="in"/>
      <arg type="a{sv}" direction="in"/><arg type="i" direction="in"/>
      <arg type="u" direction="out"/>
    </method>
    <method name="CloseNotification"><arg type="u" direction="in"/></method>
    <method name="GetCapabilities"><arg type="as" direction="out"/></method>
    <method name="GetServerInformation">
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
      <arg type="s" direction="out"/><arg type="s" direction="out"/>
    </method>
    <signal name="NotificationClosed"><arg type="u"/><arg type="u"/></signal>
    <signal name="ActionInvoked"><arg type="u"/><arg type="s"/></signal>
  </interface>
</node>
"""

out_path = sys.argv[1]
counter = [0]
bus = [None]


def on_call(conn, sender, path, iface, method, params, invocation):
    if method == "Notify":
        counter[0] += 1
        _app, _replaces, _icon, summary, body = params.unpack()[:5]
        with open(out_path, "a") as f:
            f.write("%s\t%s\t%d\n" % (summary, body.replace("\n", " "), counter[0]))
        invocation.return_value(GLib.Variant("(u)", (counter[0],)))
    elif method == "GetCapabilities":
        invocation.return_value(GLib.Variant("(as)", (["body", "actions"],)))
    elif method == "GetServerInformation":
        invocation.return_value(GLib.Variant("(ssss)", ("fake", "ferry-tests", "1", "1.2")))
    else:
        invocation.return_value(None)


def on_stdin(channel, condition):
    line = channel.readline()
    if not line:
        return False                       # no one will ask any more
    words = line.split()
    if len(words) == 2 and words[0] == "click" and bus[0] is not None:
        bus[0].emit_signal(None, "/org/freedesktop/Notifications", "org.freedesktop.Notifications",
                           "ActionInvoked", GLib.Variant("(us)", (int(words[1]), "default")))
        bus[0].flush_sync(None)
    return True


def on_bus(conn, name):
    bus[0] = conn
    node = Gio.DBusNodeInfo.new_for_xml(XML)
    conn.register_object("/org/freedesktop/Notifications", node.interfaces[0], on_call, None, None)


def on_name(conn, name):
    print("ready", flush=True)


Gio.bus_own_name(Gio.BusType.SESSION, "org.freedesktop.Notifications", Gio.BusNameOwnerFlags.NONE,
                 on_bus, on_name, lambda *a: sys.exit(1))
GLib.io_add_watch(GLib.IOChannel.unix_new(sys.stdin.fileno()), GLib.PRIORITY_DEFAULT,
                  GLib.IOCondition.IN | GLib.IOCondition.HUP, on_stdin)
GLib.MainLoop().run()
