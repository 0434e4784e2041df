/* ferry-errors-table.c: the sentences for the pool's error codes
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "ferry-errors-private.h"
#include "ferry-format.h"

static const ErrorEntry error_table[] = {
  { "VM_REQUIRES_SR", FALSE,
    N_("The target host cannot see the storage this VM’s disks are on."), NULL,
    N_("Migrate with storage motion (the disks move too), or pick a host that sees that storage.") },
  { "HOST_NOT_ENOUGH_FREE_MEMORY", FALSE,
    N_("Not enough free memory on the target host (the VM needs {0:size}, {1:size} are free)."),
    N_("Not enough free memory on the target host."),
    N_("Free some memory on the target host, or pick another host.") },
  { "VM_INCOMPATIBLE_WITH_THIS_HOST", FALSE,
    N_("The VM is not compatible with the target host’s CPU ({2})."),
    N_("The VM is not compatible with the target host’s CPU."),
    N_("Pick a host with the same kind of CPU, or force the migration if you are sure.") },
  { "VM_BAD_POWER_STATE", FALSE,
    N_("The VM is {2}, but it must be {1} for this."),
    N_("The VM is not in the right power state for this."),
    N_("Start the VM, then migrate it.") },
  { "HOST_DISABLED", FALSE,
    N_("The target host is disabled (maintenance mode)."), NULL,
    N_("Enable the host, or pick another one.") },
  { "HOST_NOT_LIVE", FALSE,
    N_("The target host is not running."), NULL,
    N_("Start the host, or pick another one.") },
  { "HOST_OFFLINE", FALSE,
    N_("The target host is offline."), NULL,
    N_("Start the host, or pick another one.") },
  { "SESSION_AUTHENTICATION_FAILED", FALSE,
    N_("The user name or password was refused."), NULL,
    N_("Check the user name and password.") },
  { "SESSION_INVALID", FALSE,
    N_("The session with the pool has expired."), NULL,
    N_("Connect again.") },
  { "HOST_IS_SLAVE", FALSE,
    N_("This host is not the pool master; the master is {0}."),
    N_("This host is not the pool master."),
    N_("Connect to the pool master instead.") },
  { "TOO_MANY_STORAGE_MIGRATES", FALSE,
    N_("The source host is already running {0} storage migrations."),
    N_("The source host is already running as many storage migrations as it can."),
    N_("Wait until one of them ends, then try again.") },
  { "VDI_NOT_IN_MAP", FALSE,
    N_("A disk of the VM has no destination storage."), NULL,
    N_("Choose a destination SR for every disk.") },
  { "VIF_NOT_IN_MAP", FALSE,
    N_("A network interface of the VM has no destination network."), NULL,
    N_("Choose a destination network for every network interface.") },
  { "OTHER_OPERATION_IN_PROGRESS", FALSE,
    N_("Another operation ({2}) is in progress on this {0}."),
    N_("Another operation is in progress on this object."),
    N_("Wait for it to finish, then try again.") },
  { "LICENCE_RESTRICTION", FALSE,
    N_("The pool’s licence does not allow this ({0})."),
    N_("The pool’s licence does not allow this."),
    N_("Use a licence that includes live migration, or migrate the VM while it is shut down.") },
  { "LICENSE_RESTRICTION", FALSE,
    N_("The pool’s licence does not allow this ({0})."),
    N_("The pool’s licence does not allow this."),
    N_("Use a licence that includes live migration, or migrate the VM while it is shut down.") },
  { "CANNOT_CONTACT_HOST", FALSE,
    N_("The pool could not contact the host {0}."),
    N_("The pool could not contact the other host."),
    N_("Check the network between the two hosts, then try again.") },
  { "SR_BACKEND_FAILURE", TRUE,
    N_("The storage reported an error: {2}"),
    N_("The storage reported an error."),
    N_("Check the storage repository on the pool, then try again.") },
  { "MIRROR_FAILED", FALSE,
    N_("Copying a disk while the VM was running failed."), NULL,
    N_("Check the storage and the network between the hosts, then try again.") },
  { "VDI_COPY_FAILED", FALSE,
    N_("Copying a disk failed."), NULL,
    N_("Check the storage and the network between the hosts, then try again.") },
  { "VM_MIGRATE_FAILED", FALSE,
    N_("The migration failed: {3}"),
    N_("The migration failed."),
    N_("Check the hosts’ logs, then try again.") },
  { "VM_MIGRATE_CONTACT_REMOTE_SERVICE_FAILED", FALSE,
    N_("The source host could not reach the migration service of the target host."), NULL,
    N_("Check the migration network between the hosts.") },
  { "TASK_CANCELLED", FALSE,
    N_("The migration was cancelled."), NULL,
    NULL },
  { "HOST_CANNOT_ATTACH_NETWORK", FALSE,
    N_("The target host has no interface on a network this migration needs."), NULL,
    N_("Pick another network, or a host connected to it.") },
  { "VM_REQUIRES_NETWORK", FALSE,
    N_("The target host cannot reach a network this VM uses."), NULL,
    N_("Pick a host connected to the VM’s networks.") },
  { "HOST_NOT_ENOUGH_PCPUS", FALSE,
    N_("The VM has {0} virtual CPUs but the target host only {1} physical CPUs."),
    N_("The target host has fewer physical CPUs than the VM has virtual CPUs."),
    N_("Pick a bigger host, or give the VM fewer virtual CPUs.") },
  { "VM_IS_TEMPLATE", FALSE,
    N_("This is a template, not a VM."), NULL,
    NULL },
  { "VM_HAS_PCI_ATTACHED", FALSE,
    N_("The VM uses a PCI device of its host, so it cannot move."), NULL,
    N_("Detach the PCI device first.") },
  { "VM_HAS_VGPU", FALSE,
    N_("The VM uses a virtual GPU that cannot be migrated."), NULL,
    N_("Shut the VM down and move it, or remove the virtual GPU.") },
  { "VM_HAS_VUSBS", FALSE,
    N_("The VM uses a USB device of its host, so it cannot move."), NULL,
    N_("Detach the USB device first.") },
  { "VM_IS_IMMOBILE", FALSE,
    N_("The VM is marked as immobile."), NULL,
    NULL },
  { "VM_LACKS_FEATURE", FALSE,
    N_("The VM’s guest tools are missing or too old for live migration."), NULL,
    N_("Install the guest tools in the VM, then try again.") },
  { "VM_NON_SUSPENDABLE", FALSE,
    N_("The VM cannot be suspended, which live migration needs."), NULL,
    N_("Install the guest tools in the VM, then try again.") },
  { "VDI_CBT_ENABLED", FALSE,
    N_("A disk of the VM has changed block tracking enabled, so it cannot move."), NULL,
    N_("Disable changed block tracking on the VM’s disks, then try again.") },
  { "VDI_IS_ENCRYPTED", FALSE,
    N_("A disk of the VM is encrypted, so it cannot move."), NULL,
    NULL },
  { "VDI_ON_BOOT_MODE_INCOMPATIBLE_WITH_OPERATION", FALSE,
    N_("A disk of the VM is reset at every boot, so it cannot move."), NULL,
    N_("Set the disk to keep its content (on-boot “persist”), then try again.") },
  { "SR_DOES_NOT_SUPPORT_MIGRATION", FALSE,
    N_("A storage repository involved does not support storage migration."), NULL,
    N_("Pick another destination SR.") },
  { "VM_HOST_INCOMPATIBLE_VERSION_MIGRATE", FALSE,
    N_("The target host runs an older version than the source host."), NULL,
    N_("Update the target pool first, or pick another host.") },
  { "VM_HOST_INCOMPATIBLE_VERSION", FALSE,
    N_("The target host runs an older version than the source host."), NULL,
    N_("Update the target pool first, or pick another host.") },
  { "NOT_SUPPORTED_DURING_UPGRADE", FALSE,
    N_("The pool is being upgraded, and this is not possible until it is done."), NULL,
    N_("Finish the upgrade, then try again.") },
  { "PIF_HAS_NO_NETWORK_CONFIGURATION", FALSE,
    N_("The target host has no IP address on the migration network."), NULL,
    N_("Pick another migration network.") },
  { "INTERFACE_HAS_NO_IP", FALSE,
    N_("The target host has no IP address on the migration network."), NULL,
    N_("Pick another migration network.") },
  { "OPERATION_NOT_ALLOWED", FALSE,
    N_("The pool does not allow this: {0}"),
    N_("The pool does not allow this."),
    NULL },
  { "HANDLE_INVALID", FALSE,
    N_("An object involved no longer exists (it was deleted or moved)."), NULL,
    N_("Refresh and try again.") },
  { "MESSAGE_METHOD_UNKNOWN", FALSE,
    N_("The pool does not know the call {0}; it may be too old."),
    N_("The pool does not know this call; it may be too old."),
    N_("Update the pool.") },
  { "VM_MISSING_PV_DRIVERS", FALSE,
    N_("The VM’s guest tools are missing."), NULL,
    N_("Install the guest tools in the VM, then try again.") },
  { "INTERNAL_ERROR", FALSE,
    N_("The pool reported an internal error: {0}"),
    N_("The pool reported an internal error."),
    N_("Check the pool’s logs.") },
};

const ErrorEntry *
ferry_error_find_entry (const char *code)
{
  for (gsize i = 0; i < G_N_ELEMENTS (error_table); i++)
    {
      const ErrorEntry *e = &error_table[i];

      if (e->prefix ? g_str_has_prefix (code, e->code) : g_str_equal (code, e->code))
        return e;
    }

  return NULL;
}

guint
ferry_error_n_params (const char * const *params)
{
  return params != NULL ? g_strv_length ((char **) params) : 0;
}

/* Returns NULL if a placeholder refers to a missing or empty parameter. */
char *
ferry_error_expand (const char *template,
                    const char * const *params)
{
  g_autoptr(GString) out = g_string_new (NULL);
  guint       np = ferry_error_n_params (params);
  const char *p = template;

  while (*p != '\0')
    {
      const char *close;
      guint64     index;
      char       *end = NULL;

      if (*p != '{' || (close = strchr (p, '}')) == NULL)
        {
          g_string_append_c (out, *p++);
          continue;
        }

      index = g_ascii_strtoull (p + 1, &end, 10);
      if (end == p + 1 || index >= np || params[index][0] == '\0')
        return NULL;

      if (g_str_has_prefix (end, ":size"))
        {
          guint64          bytes = g_ascii_strtoull (params[index], NULL, 10);
          g_autofree char *size = ferry_format_size (bytes);

          g_string_append (out, size);
        }
      else if (g_ascii_strcasecmp (params[index], "VM") == 0)
        g_string_append (out, _("VM"));
      else
        g_string_append (out, params[index]);

      p = close + 1;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* The XAPI library's messages are whole sentences; inside our own sentence's
 * brackets their full stop would be doubled. */
char *
ferry_error_without_final_period (const char *text)
{
  gsize len = strlen (text);

  while (len > 0 && (text[len - 1] == '.' || g_ascii_isspace (text[len - 1])))
    len--;
  return g_strndup (text, len);
}
