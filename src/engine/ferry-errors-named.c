/* ferry-errors-named.c: sentences that name the objects of an error, and its details
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "xapi-util.h"

#include "ferry-errors-private.h"
#include "ferry-format.h"
#include "ferry-pool-private.h"

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
  const char       *name = record != NULL ? xapi_str (record->name_label) : "";

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
  const char    *device = vif != NULL ? xapi_str (vif->device) : "";

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
      const char      *end = ref + strlen ("OpaqueRef:");
      g_autofree char *whole = NULL;
      char            *name = NULL;

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

  return ferry_error_without_final_period (out->str);
}

static const char *
param (const char * const *params,
       guint               index)
{
  return index < ferry_error_n_params (params) && params[index][0] != '\0' ? params[index] : NULL;
}

/* The sentences that name things.  Each needs every name it uses; without
 * one of them (no context, an object gone) NULL, and the plain sentence of
 * the table is used instead. */
char *
ferry_error_named_sentence (const char              *code,
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
          g_autofree char *needed = ferry_format_size (g_ascii_strtoull (params[0], NULL, 10));
          g_autofree char *available = ferry_format_size (g_ascii_strtoull (params[1], NULL, 10));

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
      if (object == NULL || ctx->vm_name == NULL ||
          ctx->source_host_name == NULL || ctx->target_host_name == NULL)
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
  static const char * const classes[] = { "vm", "host", "sr", "network", "vdi", "vif", "task", NULL };

  /* The hosts of VM_MIGRATE_FAILED. */
  if (g_strcmp0 (name, "source") == 0 || g_strcmp0 (name, "destination") == 0)
    return "host";
  for (guint i = 0; name != NULL && classes[i] != NULL; i++)
    if (g_str_equal (name, classes[i]))
      return classes[i];
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
  const char               *klass = class_of_param (name);
  char                     *readable = NULL;

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

char *
ferry_error_details_of (const char              *code,
                        const char * const      *params,
                        const FerryErrorContext *ctx)
{
  g_autoptr(GString) out = g_string_new (code);
  g_auto(GStrv) names = NULL;
  guint    np = ferry_error_n_params (params);
  gboolean first = TRUE;

  for (gsize i = 0; i < G_N_ELEMENTS (param_names); i++)
    if (g_str_equal (code, param_names[i].code))
      names = g_strsplit (param_names[i].names, " ", -1);

  for (guint i = 0; i < np; i++)
    {
      const char      *name = names != NULL && i < g_strv_length (names) ? names[i] : NULL;
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
