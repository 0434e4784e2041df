/* ferry-errors.c: the engine's error domain, and errors as plain sentences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <gio/gio.h>
#include <glib/gi18n.h>

#include "xapi-error.h"

#include "ferry-engine-private.h"
#include "ferry-errors.h"

/* What travels with a FERRY_ERROR besides its sentence.  Errors the engine
 * raises itself carry nothing (their message is the whole story); those
 * translated from the protocol layer keep what a front end acts on and what
 * "Details" shows, through g_error_copy() and GTask. */
typedef struct
{
  char  *fix;          /* the suggested fix, translated */
  char  *details;      /* the raw words, for "Details" */
  char  *pool_code;    /* the pool's own error code, and its parameters */
  char **pool_params;
  char  *fingerprint;
  char  *address;
} FerryErrorPrivate;

static void
ferry_error_private_init (FerryErrorPrivate *priv)
{
  memset (priv, 0, sizeof *priv);
}

static void
ferry_error_private_copy (const FerryErrorPrivate *src,
                          FerryErrorPrivate       *dest)
{
  dest->fix = g_strdup (src->fix);
  dest->details = g_strdup (src->details);
  dest->pool_code = g_strdup (src->pool_code);
  dest->pool_params = g_strdupv (src->pool_params);
  dest->fingerprint = g_strdup (src->fingerprint);
  dest->address = g_strdup (src->address);
}

static void
ferry_error_private_clear (FerryErrorPrivate *priv)
{
  g_clear_pointer (&priv->fix, g_free);
  g_clear_pointer (&priv->details, g_free);
  g_clear_pointer (&priv->pool_code, g_free);
  g_clear_pointer (&priv->pool_params, g_strfreev);
  g_clear_pointer (&priv->fingerprint, g_free);
  g_clear_pointer (&priv->address, g_free);
}

G_DEFINE_EXTENDED_ERROR (FerryError, ferry_error)

static FerryErrorPrivate *
get_private_if_ours (const GError *error)
{
  if (error == NULL || error->domain != FERRY_ERROR)
    return NULL;

  return ferry_error_get_private (error);
}

const char *
ferry_error_get_fingerprint (const GError *error)
{
  FerryErrorPrivate *priv = get_private_if_ours (error);

  return priv != NULL ? priv->fingerprint : NULL;
}

const char *
ferry_error_get_address (const GError *error)
{
  FerryErrorPrivate *priv = get_private_if_ours (error);

  return priv != NULL ? priv->address : NULL;
}

/* Sentences may refer to the error's parameters as {0}, {1}, ...; "{1:size}"
 * formats a decimal byte count ("4.0 GiB").  An entry whose sentence needs a
 * parameter the error does not carry falls back to @plain.  Parameters that
 * are object references are never shown: they mean nothing to a person. */
typedef struct
{
  const char *code;
  gboolean    prefix;    /* matches every code starting with @code */
  const char *sentence;
  const char *plain;     /* without parameters; NULL = @sentence has none */
  const char *fix;
} ErrorEntry;

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

static const ErrorEntry *
find_entry (const char *code)
{
  for (gsize i = 0; i < G_N_ELEMENTS (error_table); i++)
    {
      const ErrorEntry *e = &error_table[i];

      if (e->prefix ? g_str_has_prefix (code, e->code) : g_str_equal (code, e->code))
        return e;
    }

  return NULL;
}

static guint
n_params (const char * const *params)
{
  return params != NULL ? g_strv_length ((char **) params) : 0;
}

/* Returns NULL if a placeholder refers to a missing or empty parameter. */
static char *
expand (const char         *template,
        const char * const *params)
{
  g_autoptr(GString) out = g_string_new (NULL);
  guint np = n_params (params);
  const char *p = template;

  while (*p != '\0')
    {
      const char *close;
      guint64 index;
      char *end = NULL;

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
          guint64 bytes = g_ascii_strtoull (params[index], NULL, 10);
          g_autofree char *size = g_format_size_full (bytes, G_FORMAT_SIZE_IEC_UNITS);

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
static char *
without_final_period (const char *text)
{
  gsize len = strlen (text);

  while (len > 0 && (text[len - 1] == '.' || g_ascii_isspace (text[len - 1])))
    len--;
  return g_strndup (text, len);
}

/* ---- naming the objects of an error ---------------------------------------- */

/* The record of @ref in the source pool, else in the target pool. */
static gpointer
lookup (const FerryErrorContext *ctx,
        XapiClass                klass,
        const char              *ref)
{
  gpointer record = NULL;

  if (ctx == NULL || ref == NULL || !g_str_has_prefix (ref, "OpaqueRef:") || xapi_is_null_ref (ref))
    return NULL;

  if (ctx->source_pool != NULL)
    record = ferry_pool_lookup (ctx->source_pool, klass, ref);
  if (record == NULL && ctx->target_pool != NULL && ctx->target_pool != ctx->source_pool)
    record = ferry_pool_lookup (ctx->target_pool, klass, ref);

  return record;
}

/* The name_label of @ref as a @klass, or NULL. */
static char *
name_of (const FerryErrorContext *ctx,
         const char              *klass,
         const char              *ref)
{
  const XapiRecord *record = lookup (ctx, xapi_class_from_name (klass), ref);
  const char *name = record != NULL ? xapi_str (record->name_label) : "";

  return name[0] != '\0' ? g_strdup (name) : NULL;
}

/* @ref's name, or @fallback (the context's own name for it) when the
 * reference is missing or unknown to both pools. */
static char *
name_or (const FerryErrorContext *ctx,
         const char              *klass,
         const char              *ref,
         const char              *fallback)
{
  char *name = name_of (ctx, klass, ref);

  if (name == NULL && fallback != NULL && fallback[0] != '\0')
    name = g_strdup (fallback);
  return name;
}

/* A VIF has no name: its device number ("1") tells it apart. */
static char *
vif_device (const FerryErrorContext *ctx,
            const char              *ref)
{
  const XapiVif *vif = lookup (ctx, XAPI_CLASS_VIF, ref);
  const char *device = vif != NULL ? xapi_str (vif->device) : "";

  return device[0] != '\0' ? g_strdup (device) : NULL;
}

static char *
vif_network_name (const FerryErrorContext *ctx,
                  const char              *ref)
{
  const XapiVif *vif = lookup (ctx, XAPI_CLASS_VIF, ref);

  return vif != NULL ? name_of (ctx, "network", vif->network) : NULL;
}

/* The pool's free text (a migration's message, a CPU check's reason) may
 * quote references too: named where a pool knows them, elided otherwise. */
static char *
scrub_refs (const FerryErrorContext *ctx,
            const char              *text)
{
  static const char * const classes[] = { "vm", "host", "sr", "network", "vdi", "pool", NULL };
  g_autoptr(GString) out = g_string_new (NULL);
  const char *p = text;
  const char *ref;

  while ((ref = strstr (p, "OpaqueRef:")) != NULL)
    {
      const char *end = ref + strlen ("OpaqueRef:");
      g_autofree char *whole = NULL;
      char *name = NULL;

      while (g_ascii_isxdigit (*end) || *end == '-')
        end++;
      whole = g_strndup (ref, end - ref);
      for (guint i = 0; name == NULL && classes[i] != NULL; i++)
        name = name_of (ctx, classes[i], whole);

      g_string_append_len (out, p, ref - p);
      if (name != NULL)
        g_string_append_printf (out, "“%s”", name);
      else
        g_string_append (out, "…");
      g_free (name);
      p = end;
    }
  g_string_append (out, p);

  return without_final_period (out->str);
}

static const char *
param (const char * const *params,
       guint               index)
{
  return index < n_params (params) && params[index][0] != '\0' ? params[index] : NULL;
}

/* The sentences that name things.  Each needs every name it uses; without
 * one of them (no context, an object gone) NULL, and the plain sentence of
 * the table is used instead. */
static char *
named_sentence (const char              *code,
                const char * const      *params,
                const FerryErrorContext *ctx,
                char                   **fix)
{
  g_autofree char *vm = NULL;
  g_autofree char *source = NULL;
  g_autofree char *target = NULL;
  g_autofree char *object = NULL;
  g_autofree char *other = NULL;
  g_autofree char *text = NULL;

  *fix = NULL;
  if (ctx == NULL)
    return NULL;

  if (g_str_equal (code, "VM_MIGRATE_FAILED"))
    {
      /* [vm; source; destination; msg] */
      vm = name_or (ctx, "vm", param (params, 0), ctx->vm_name);
      source = name_or (ctx, "host", param (params, 1), ctx->source_host_name);
      target = name_or (ctx, "host", param (params, 2), ctx->target_host_name);
      if (vm == NULL || source == NULL || target == NULL)
        return NULL;
      /* Translators: the hosts' log where XAPI explains a failed migration */
      *fix = g_strdup_printf (_("Look for the reason in /var/log/xensource.log on %s and %s, then try again."),
                              source, target);
      if (param (params, 3) != NULL)
        {
          text = scrub_refs (ctx, param (params, 3));
          /* Translators: VM, source host, target host, the pool's own message (in English) */
          return g_strdup_printf (_("The migration of “%s” from %s to %s failed: %s."), vm, source, target, text);
        }
      return g_strdup_printf (_("The migration of “%s” from %s to %s failed."), vm, source, target);
    }

  if (g_str_equal (code, "VM_REQUIRES_SR"))
    {
      /* [vm; sr] */
      vm = name_or (ctx, "vm", param (params, 0), ctx->vm_name);
      object = name_of (ctx, "sr", param (params, 1));
      if (vm == NULL || object == NULL || ctx->target_host_name == NULL)
        return NULL;
      *fix = g_strdup_printf (_("Migrate “%s” with its disks (storage motion), or pick a host that sees “%s”."),
                              vm, object);
      /* Translators: target host, SR, VM */
      return g_strdup_printf (_("%s cannot see the SR “%s”, which holds disks of “%s”."),
                              ctx->target_host_name, object, vm);
    }

  if (g_str_equal (code, "VM_REQUIRES_NETWORK"))
    {
      /* [vm; network] */
      vm = name_or (ctx, "vm", param (params, 0), ctx->vm_name);
      object = name_of (ctx, "network", param (params, 1));
      if (vm == NULL || object == NULL || ctx->target_host_name == NULL)
        return NULL;
      *fix = g_strdup_printf (_("Connect %s to “%s”, or pick a host that is connected to it."),
                              ctx->target_host_name, object);
      /* Translators: target host, network, VM */
      return g_strdup_printf (_("%s has no interface on the network “%s”, which “%s” uses."),
                              ctx->target_host_name, object, vm);
    }

  if (g_str_equal (code, "HOST_NOT_ENOUGH_FREE_MEMORY"))
    {
      /* [needed; available], in bytes */
      if (ctx->vm_name == NULL || ctx->target_host_name == NULL)
        return NULL;
      *fix = g_strdup_printf (_("Free some memory on %s (shut down or move another VM), or pick another host."),
                              ctx->target_host_name);
      if (param (params, 0) != NULL && param (params, 1) != NULL)
        {
          g_autofree char *needed = g_format_size_full (g_ascii_strtoull (params[0], NULL, 10),
                                                        G_FORMAT_SIZE_IEC_UNITS);
          g_autofree char *available = g_format_size_full (g_ascii_strtoull (params[1], NULL, 10),
                                                           G_FORMAT_SIZE_IEC_UNITS);

          /* Translators: target host, VM, memory needed, memory free */
          return g_strdup_printf (_("%s does not have enough free memory for “%s”: it needs %s, %s are free."),
                                  ctx->target_host_name, ctx->vm_name, needed, available);
        }
      return g_strdup_printf (_("%s does not have enough free memory for “%s”."),
                              ctx->target_host_name, ctx->vm_name);
    }

  if (g_str_equal (code, "VDI_CBT_ENABLED"))
    {
      /* [vdi] */
      object = name_of (ctx, "vdi", param (params, 0));
      if (object == NULL || ctx->vm_name == NULL)
        return NULL;
      *fix = g_strdup_printf (_("Disable changed block tracking on “%s” (xe vdi-disable-cbt), then try again."),
                              object);
      /* Translators: disk, VM */
      return g_strdup_printf (_("The disk “%s” of “%s” has changed block tracking enabled, so it cannot move."),
                              object, ctx->vm_name);
    }

  if (g_str_equal (code, "VDI_NOT_IN_MAP"))
    {
      /* [vdi] */
      object = name_of (ctx, "vdi", param (params, 0));
      if (object == NULL || ctx->vm_name == NULL)
        return NULL;
      *fix = g_strdup_printf (_("Choose a destination SR for “%s”, then try again."), object);
      /* Translators: disk, VM */
      return g_strdup_printf (_("The disk “%s” of “%s” has no destination SR."), object, ctx->vm_name);
    }

  if (g_str_equal (code, "HOST_CANNOT_ATTACH_NETWORK"))
    {
      /* [host; network]: raised by host.migrate_receive on the target pool */
      target = name_or (ctx, "host", param (params, 0), ctx->target_host_name);
      object = name_of (ctx, "network", param (params, 1));
      if (target == NULL || object == NULL)
        return NULL;
      *fix = g_strdup_printf (_("Pick another migration network, or a host connected to “%s”."), object);
      /* Translators: target host, network */
      return g_strdup_printf (_("%s has no interface on the network “%s”, which this migration needs."),
                              target, object);
    }

  if (g_str_equal (code, "VIF_NOT_IN_MAP"))
    {
      /* [vif] */
      object = vif_device (ctx, param (params, 0));
      other = vif_network_name (ctx, param (params, 0));
      if (object == NULL || ctx->vm_name == NULL || ctx->target_pool_name == NULL)
        return NULL;
      *fix = g_strdup_printf (_("Choose a network of the pool %s for network interface %s, then try again."),
                              ctx->target_pool_name, object);
      if (other != NULL)
        /* Translators: VIF device number, VM, its network */
        return g_strdup_printf (_("Network interface %s of “%s” (on “%s”) has no destination network."),
                                object, ctx->vm_name, other);
      return g_strdup_printf (_("Network interface %s of “%s” has no destination network."), object, ctx->vm_name);
    }

  if (g_str_equal (code, "VM_INCOMPATIBLE_WITH_THIS_HOST"))
    {
      /* [vm; host; reason] */
      vm = name_or (ctx, "vm", param (params, 0), ctx->vm_name);
      target = name_or (ctx, "host", param (params, 1), ctx->target_host_name);
      if (vm == NULL || target == NULL || ctx->source_host_name == NULL)
        return NULL;
      *fix = g_strdup_printf (_("Pick a host with the same kind of CPU as %s."), ctx->source_host_name);
      if (param (params, 2) != NULL)
        {
          text = scrub_refs (ctx, param (params, 2));
          /* Translators: VM, target host, the pool's own reason (in English) */
          return g_strdup_printf (_("“%s” cannot run on the CPU of %s (%s)."), vm, target, text);
        }
      return g_strdup_printf (_("“%s” cannot run on the CPU of %s."), vm, target);
    }

  if (g_str_equal (code, "TOO_MANY_STORAGE_MIGRATES"))
    {
      /* [number] */
      if (ctx->source_host_name == NULL)
        return NULL;
      *fix = g_strdup (_("Wait until one of them ends, then try again."));
      if (param (params, 0) != NULL)
        /* Translators: source host, a number of migrations */
        return g_strdup_printf (_("%s is already running %s storage migrations, as many as it can."),
                                ctx->source_host_name, params[0]);
      return g_strdup_printf (_("%s is already running as many storage migrations as it can."),
                              ctx->source_host_name);
    }

  if (g_str_equal (code, "SR_DOES_NOT_SUPPORT_MIGRATION"))
    {
      /* [sr; capabilities] */
      object = name_of (ctx, "sr", param (params, 0));
      if (object == NULL || ctx->vm_name == NULL)
        return NULL;
      *fix = g_strdup_printf (_("Pick another SR than “%s” for the disks of “%s”."), object, ctx->vm_name);
      return g_strdup_printf (_("The SR “%s” does not support storage migration."), object);
    }

  if (g_str_equal (code, "CANNOT_CONTACT_HOST"))
    {
      /* [host]: a reference, sometimes an address */
      const char *host = param (params, 0);

      if (host == NULL)
        return NULL;
      target = g_str_has_prefix (host, "OpaqueRef:") ? name_of (ctx, "host", host) : g_strdup (host);
      if (target == NULL)
        return NULL;
      *fix = g_strdup_printf (_("Check that %s is running and that its pool master can reach it, then try again."),
                              target);
      if (ctx->source_pool_name != NULL)
        /* Translators: pool, host */
        return g_strdup_printf (_("The pool %s could not contact %s."), ctx->source_pool_name, target);
      return g_strdup_printf (_("The pool could not contact %s."), target);
    }

  if (g_str_equal (code, "MIRROR_FAILED"))
    {
      /* [vdi] */
      object = name_of (ctx, "vdi", param (params, 0));
      if (object == NULL || ctx->vm_name == NULL
          || ctx->source_host_name == NULL || ctx->target_host_name == NULL)
        return NULL;
      *fix = g_strdup_printf (_("Check the free space of the destination SR and the network between %s and %s, "
                                "then try again."),
                              ctx->source_host_name, ctx->target_host_name);
      /* Translators: disk, VM, target host */
      return g_strdup_printf (_("Copying the disk “%s” of “%s” to %s failed while the VM was running."),
                              object, ctx->vm_name, ctx->target_host_name);
    }

  return NULL;
}

/* ---- details ------------------------------------------------------------------ */

/* The names XAPI gives the parameters (xapi.md §5.8), for "Details". */
static const struct
{
  const char *code;
  const char *names;
} param_names[] = {
  { "VM_MIGRATE_FAILED", "vm source destination msg" },
  { "VM_REQUIRES_SR", "vm sr" },
  { "VM_REQUIRES_NETWORK", "vm network" },
  { "HOST_NOT_ENOUGH_FREE_MEMORY", "needed available" },
  { "HOST_NOT_ENOUGH_PCPUS", "vcpus pcpus" },
  { "VDI_CBT_ENABLED", "vdi" },
  { "VDI_IS_ENCRYPTED", "vdi" },
  { "VDI_NOT_IN_MAP", "vdi" },
  { "VIF_NOT_IN_MAP", "vif" },
  { "MIRROR_FAILED", "vdi" },
  { "VM_INCOMPATIBLE_WITH_THIS_HOST", "vm host reason" },
  { "TOO_MANY_STORAGE_MIGRATES", "number" },
  { "SR_DOES_NOT_SUPPORT_MIGRATION", "sr capabilities" },
  { "CANNOT_CONTACT_HOST", "host" },
  { "HOST_DISABLED", "host" },
  { "HOST_OFFLINE", "host" },
  { "HOST_CANNOT_ATTACH_NETWORK", "host network" },
  { "VM_BAD_POWER_STATE", "vm expected actual" },
  { "VM_IS_TEMPLATE", "vm operation" },
  { "VM_HOST_INCOMPATIBLE_VERSION_MIGRATE", "vm host" },
  { "VM_HAS_PCI_ATTACHED", "vm" },
  { "VM_HAS_VGPU", "vm" },
  { "VM_IS_IMMOBILE", "vm" },
  { "VM_LACKS_FEATURE", "vm" },
  { "OTHER_OPERATION_IN_PROGRESS", "class object operation_type operation_ref" },
  { "HANDLE_INVALID", "class handle" },
  { "OPERATION_NOT_ALLOWED", "reason" },
  { "LICENCE_RESTRICTION", "feature" },
  { "TASK_CANCELLED", "task" },
  { "INTERNAL_ERROR", "message" },
};

static const char *
class_of_param (const char *name)
{
  static const struct { const char *param; const char *klass; } classes[] = {
    { "vm", "vm" }, { "host", "host" }, { "source", "host" }, { "destination", "host" },
    { "sr", "sr" }, { "network", "network" }, { "vdi", "vdi" }, { "vif", "vif" }, { "task", "task" },
  };

  for (gsize i = 0; name != NULL && i < G_N_ELEMENTS (classes); i++)
    if (g_str_equal (name, classes[i].param))
      return classes[i].klass;
  return NULL;
}

/* A parameter for "Details": a reference by its name where one of the pools
 * knows it, as it came otherwise. */
static char *
readable_param (const FerryErrorContext *ctx,
                const char              *name,
                const char              *value)
{
  static const char * const any_class[] = { "vm", "host", "sr", "network", "vdi", "vif", "pool", NULL };
  const char *klass = class_of_param (name);
  char *readable = NULL;

  if (!g_str_has_prefix (value, "OpaqueRef:"))
    return g_strdup (value);

  for (guint i = 0; readable == NULL && any_class[i] != NULL; i++)
    {
      if (klass != NULL && !g_str_equal (klass, any_class[i]))
        continue;
      if (g_str_equal (any_class[i], "vif"))
        {
          g_autofree char *device = vif_device (ctx, value);

          if (device != NULL)
            /* Translators: a VM's network interface in "Details", by its device number */
            readable = g_strdup_printf (_("interface %s"), device);
        }
      else
        readable = name_of (ctx, any_class[i], value);
    }

  return readable != NULL ? readable : g_strdup (value);
}

static char *
details_of (const char              *code,
            const char * const      *params,
            const FerryErrorContext *ctx)
{
  g_autoptr(GString) out = g_string_new (code);
  g_auto(GStrv) names = NULL;
  guint np = n_params (params);
  gboolean first = TRUE;

  for (gsize i = 0; i < G_N_ELEMENTS (param_names); i++)
    if (g_str_equal (code, param_names[i].code))
      names = g_strsplit (param_names[i].names, " ", -1);

  for (guint i = 0; i < np; i++)
    {
      const char *name = names != NULL && i < g_strv_length (names) ? names[i] : NULL;
      g_autofree char *value = NULL;

      if (params[i][0] == '\0')
        continue;
      value = readable_param (ctx, name, params[i]);
      g_string_append (out, first ? " (" : ", ");
      first = FALSE;
      if (name != NULL)
        g_string_append_printf (out, "%s: ", name);
      g_string_append (out, value);
    }
  if (!first)
    g_string_append_c (out, ')');

  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
ferry_error_code_explain (const char               *code,
                          const char * const       *params,
                          const FerryErrorContext  *context,
                          char                    **suggested_fix,
                          char                    **details)
{
  const ErrorEntry *e;
  char *sentence = NULL;
  char *fix = NULL;

  g_return_val_if_fail (code != NULL, NULL);

  if (suggested_fix != NULL)
    *suggested_fix = NULL;
  if (details != NULL)
    *details = details_of (code, params, context);

  sentence = named_sentence (code, params, context, &fix);
  if (sentence != NULL)
    {
      if (suggested_fix != NULL)
        *suggested_fix = fix;
      else
        g_free (fix);
      return sentence;
    }
  g_free (fix);

  e = find_entry (code);
  if (e == NULL)
    {
      g_autofree char *joined = params != NULL && n_params (params) > 0
                                ? g_strjoinv (", ", (char **) params) : NULL;

      if (joined != NULL)
        /* Translators: an error code the pool sent that Ferry does not know, and its details */
        return g_strdup_printf (_("The pool refused the operation: %s (%s)."), code, joined);
      return g_strdup_printf (_("The pool refused the operation: %s."), code);
    }

  sentence = expand (_(e->sentence), params);
  if (sentence == NULL)
    sentence = g_strdup (_(e->plain != NULL ? e->plain : e->sentence));

  if (suggested_fix != NULL && e->fix != NULL)
    *suggested_fix = g_strdup (_(e->fix));

  return sentence;
}

char *
ferry_error_code_to_sentence (const char         *code,
                              const char * const *params,
                              char              **suggested_fix)
{
  return ferry_error_code_explain (code, params, NULL, suggested_fix, NULL);
}

char *
ferry_error_explain (const GError             *error,
                     const FerryErrorContext  *context,
                     char                    **suggested_fix,
                     char                    **details)
{
  g_autofree char *detail = NULL;
  const char *fix = NULL;
  char *sentence = NULL;

  g_return_val_if_fail (error != NULL, NULL);

  if (suggested_fix != NULL)
    *suggested_fix = NULL;
  if (details != NULL)
    *details = NULL;

  if (error->domain == XAPI_ERROR)
    {
      /* The library's own words, for whoever reads the hosts' logs. */
      if (details != NULL && error->code != XAPI_ERROR_FAILURE)
        *details = g_strdup (error->message);

      switch ((XapiErrorEnum) error->code)
        {
        case XAPI_ERROR_FAILURE:
          {
            const char *code = xapi_error_get_code (error);

            if (code != NULL)
              return ferry_error_code_explain (code, xapi_error_get_params (error),
                                               context, suggested_fix, details);
            sentence = g_strdup (error->message);
          }
          break;

        case XAPI_ERROR_CONNECTION:
          detail = without_final_period (error->message);
          sentence = g_strdup_printf (_("Could not reach the host (%s)."), detail);
          fix = _("Check that the host is on and reachable from this computer.");
          break;

        case XAPI_ERROR_TIMEOUT:
          sentence = g_strdup (_("The host did not answer in time."));
          fix = _("Check the network, then try again.");
          break;

        case XAPI_ERROR_HTTP:
          detail = without_final_period (error->message);
          sentence = g_strdup_printf (_("The host gave an unexpected answer (%s)."), detail);
          fix = _("Check that the address is the one of a XenServer or XCP-ng host.");
          break;

        case XAPI_ERROR_MALFORMED:
          /* The detail names the host and where in the reply it went wrong:
           * what whoever looks into it needs first. */
          detail = without_final_period (error->message);
          sentence = g_strdup_printf (_("The host’s answer could not be understood (%s)."), detail);
          fix = _("Check that the address is the one of a XenServer or XCP-ng host.");
          break;

        case XAPI_ERROR_TOO_LARGE:
          detail = without_final_period (error->message);
          sentence = g_strdup_printf (_("The host’s answer was refused (%s)."), detail);
          fix = _("Check that the address is the one of a XenServer or XCP-ng host.");
          break;

        case XAPI_ERROR_TLS:
          detail = without_final_period (error->message);
          sentence = g_strdup_printf (_("No secure connection to the host could be set up (%s)."), detail);
          fix = _("Check that the address is the one of a XenServer or XCP-ng host, and that nothing on the way intercepts the connection.");
          break;

        case XAPI_ERROR_CERTIFICATE_UNKNOWN:
          {
            const char *fp = xapi_error_get_fingerprint (error);

            if (fp != NULL)
              sentence = g_strdup_printf (_("The host’s certificate is not trusted (SHA-256 fingerprint %s)."), fp);
            else
              sentence = g_strdup (_("The host’s certificate is not trusted."));
            fix = _("Compare the fingerprint with the one shown on the host’s console, and trust it only if they match.");
          }
          break;

        case XAPI_ERROR_CERTIFICATE_CHANGED:
          {
            const char *fp = xapi_error_get_fingerprint (error);

            if (fp != NULL)
              sentence = g_strdup_printf (_("The host’s certificate has changed since it was trusted (now %s)."), fp);
            else
              sentence = g_strdup (_("The host’s certificate has changed since it was trusted."));
            fix = _("If the certificate was renewed on purpose, check the new fingerprint and trust it again; otherwise do not connect.");
          }
          break;

        case XAPI_ERROR_REDIRECT_REFUSED:
          {
            const char *address = xapi_error_get_address (error);

            /* TRANSLATORS: %s is an IP address or host name */
            sentence = g_strdup_printf (_("The host says the pool’s master is now at %s, which is not a known host of this pool, so Ferry did not send the password there over an unencrypted connection."),
                                        address != NULL ? address : _("an unknown address"));
            fix = _("Check that this address belongs to the pool before you let Ferry follow it, or connect with HTTPS.");
          }
          break;

        case XAPI_ERROR_WRONG_POOL:
          sentence = g_strdup (_("The host now belongs to another pool than the one Ferry knew."));
          fix = _("Check the address, and remove and add the server again if the pool was rebuilt.");
          break;

        default:
          sentence = g_strdup (error->message);
          break;
        }
    }
  else if (error->domain == FERRY_ERROR)
    {
      FerryErrorPrivate *priv = ferry_error_get_private (error);

      /* The pool's own code: named anew with what this caller knows. */
      if (priv->pool_code != NULL)
        return ferry_error_code_explain (priv->pool_code, (const char * const *) priv->pool_params,
                                         context, suggested_fix, details);
      sentence = g_strdup (error->message);
      fix = priv->fix;
      if (details != NULL)
        *details = g_strdup (priv->details);
    }
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      sentence = g_strdup (_("The operation was cancelled."));
    }
  else
    {
      /* Engine and other errors already carry a plain sentence. */
      sentence = g_strdup (error->message);
    }

  if (suggested_fix != NULL && fix != NULL)
    *suggested_fix = g_strdup (fix);

  return sentence;
}

char *
ferry_error_to_sentence (const GError  *error,
                         char         **suggested_fix)
{
  return ferry_error_explain (error, NULL, suggested_fix, NULL);
}

static char *
join_sentence (char *sentence,
               char *fix)
{
  char *message;

  if (fix == NULL)
    return sentence;

  message = g_strconcat (sentence, " ", fix, NULL);
  g_free (sentence);
  g_free (fix);

  return message;
}

char *
ferry_error_to_message (const GError *error)
{
  char *fix = NULL;
  char *sentence = ferry_error_to_sentence (error, &fix);

  return join_sentence (sentence, fix);
}

char *
ferry_error_code_to_message (const char         *code,
                             const char * const *params)
{
  char *fix = NULL;
  char *sentence = ferry_error_code_to_sentence (code, params, &fix);

  return join_sentence (sentence, fix);
}

char *
ferry_error_to_named_message (const GError             *error,
                              const FerryErrorContext  *context,
                              char                    **details)
{
  char *fix = NULL;
  char *sentence = ferry_error_explain (error, context, &fix, details);

  return join_sentence (sentence, fix);
}

/* ---- leaving the engine --------------------------------------------------- */

static FerryError
code_for_xapi (const GError *error)
{
  switch ((XapiErrorEnum) error->code)
    {
    case XAPI_ERROR_FAILURE:
      return xapi_error_has_code (error, "SESSION_AUTHENTICATION_FAILED")
             ? FERRY_ERROR_AUTHENTICATION_FAILED : FERRY_ERROR_REFUSED;
    case XAPI_ERROR_CONNECTION:
      return FERRY_ERROR_CONNECTION;
    case XAPI_ERROR_TIMEOUT:
      return FERRY_ERROR_TIMEOUT;
    case XAPI_ERROR_HTTP:
      return FERRY_ERROR_HTTP;
    case XAPI_ERROR_MALFORMED:
      return FERRY_ERROR_MALFORMED;
    case XAPI_ERROR_CERTIFICATE_UNKNOWN:
      return FERRY_ERROR_CERTIFICATE_UNKNOWN;
    case XAPI_ERROR_CERTIFICATE_CHANGED:
      return FERRY_ERROR_CERTIFICATE_CHANGED;
    case XAPI_ERROR_WRONG_POOL:
      return FERRY_ERROR_WRONG_POOL;
    case XAPI_ERROR_REDIRECT_REFUSED:
      return FERRY_ERROR_REDIRECT_REFUSED;
    case XAPI_ERROR_TLS:
      return FERRY_ERROR_TLS;
    case XAPI_ERROR_TOO_LARGE:
      return FERRY_ERROR_TOO_LARGE;
    default:
      return FERRY_ERROR_FAILED;
    }
}

GError *
ferry_error_from_xapi (const GError *error)
{
  g_autofree char *fix = NULL;
  g_autofree char *details = NULL;
  g_autofree char *sentence = NULL;
  FerryErrorPrivate *priv;
  GError *translated;

  g_return_val_if_fail (error != NULL, NULL);

  if (error->domain != XAPI_ERROR)
    return g_error_copy (error);

  sentence = ferry_error_explain (error, NULL, &fix, &details);
  translated = g_error_new_literal (FERRY_ERROR, code_for_xapi (error), sentence);
  priv = ferry_error_get_private (translated);
  priv->fix = g_steal_pointer (&fix);
  priv->details = g_steal_pointer (&details);
  priv->pool_code = g_strdup (xapi_error_get_code (error));
  priv->pool_params = g_strdupv ((char **) xapi_error_get_params (error));
  priv->fingerprint = g_strdup (xapi_error_get_fingerprint (error));
  priv->address = g_strdup (xapi_error_get_address (error));

  return translated;  /* (transfer full) */
}

void
ferry_error_translate (GError **error)
{
  GError *translated;

  if (error == NULL || *error == NULL || (*error)->domain != XAPI_ERROR)
    return;

  translated = ferry_error_from_xapi (*error);
  g_clear_error (error);
  *error = translated;
}
