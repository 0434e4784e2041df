/* ferry-cli-resolve.c: finding a VM, host, SR or network by uuid or
 * unique name in the connected pools
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferryctl"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-cli.h"

/* Finding objects by uuid or name */

static GListModel *
pool_objects (FerryPool         *pool,
              FerryCliObjectKind kind)
{
  switch (kind)
    {
    case FERRY_CLI_OBJECT_VM:
      return ferry_pool_get_vms (pool);
    case FERRY_CLI_OBJECT_HOST:
      return ferry_pool_get_hosts (pool);
    case FERRY_CLI_OBJECT_SR:
      return ferry_pool_get_srs (pool);
    case FERRY_CLI_OBJECT_NETWORK:
      return ferry_pool_get_networks (pool);
    default:
      g_assert_not_reached ();
    }
}

static const char *
kind_noun (FerryCliObjectKind kind)
{
  switch (kind)
    {
    case FERRY_CLI_OBJECT_VM:
      return _("VM");
    case FERRY_CLI_OBJECT_HOST:
      return _("host");
    case FERRY_CLI_OBJECT_SR:
      return _("storage repository");
    case FERRY_CLI_OBJECT_NETWORK:
      return _("network");
    default:
      g_assert_not_reached ();
    }
}

static void
collect_matches (FerryPool         *pool,
                 FerryCliObjectKind kind,
                 const char        *text,
                 GPtrArray         *by_uuid,
                 GPtrArray         *by_name)
{
  GListModel *objects = pool_objects (pool, kind);

  for (guint i = 0; i < g_list_model_get_n_items (objects); i++)
    {
      g_autoptr(GObject) object = g_list_model_get_item (objects, i);
      g_autofree char *uuid = NULL;
      g_autofree char *name = NULL;

      g_object_get (object, "uuid", &uuid, "name", &name, NULL);
      if (uuid != NULL && g_ascii_strcasecmp (uuid, text) == 0)
        g_ptr_array_add (by_uuid, g_object_ref (object));
      else if (name != NULL && g_str_equal (name, text))
        g_ptr_array_add (by_name, g_object_ref (object));
    }
}

static FerryPool *
object_pool (GObject *object)
{
  if (FERRY_IS_VM (object))
    return ferry_vm_get_pool (FERRY_VM (object));
  if (FERRY_IS_HOST (object))
    return ferry_host_get_pool (FERRY_HOST (object));
  if (FERRY_IS_SR (object))
    return ferry_sr_get_pool (FERRY_SR (object));
  if (FERRY_IS_NETWORK (object))
    return ferry_network_get_pool (FERRY_NETWORK (object));
  return NULL;
}

static void
describe_candidate (GString *out,
                    GObject *object)
{
  g_autofree char *uuid = NULL;
  g_autofree char *name = NULL;
  FerryPool       *pool = object_pool (object);

  g_object_get (object, "uuid", &uuid, "name", &name, NULL);
  g_string_append_printf (out, "\n  %s  %s", uuid, name);
  if (pool != NULL)
    /* TRANSLATORS: after a candidate's uuid and name: which pool it is in */
    g_string_append_printf (out, _("  (pool %s"), ferry_pool_get_name (pool));
  if (FERRY_IS_VM (object) && ferry_vm_get_resident_on (FERRY_VM (object)) != NULL)
    g_string_append_printf (out, _(", on %s"),
                            ferry_host_get_name (ferry_vm_get_resident_on (FERRY_VM (object))));
  if (pool != NULL)
    g_string_append_c (out, ')');
}

gpointer
ferry_cli_resolve (FerryCli          *self,
                   FerryCliObjectKind kind,
                   const char        *text,
                   FerryPool         *pool,
                   GError           **error)
{
  g_autoptr(GPtrArray) pools = NULL;
  g_autoptr(GPtrArray) by_uuid = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GPtrArray) by_name = g_ptr_array_new_with_free_func (g_object_unref);
  GPtrArray *matches;

  g_return_val_if_fail (text != NULL, NULL);

  if (pool != NULL)
    {
      pools = g_ptr_array_new_with_free_func (g_object_unref);
      g_ptr_array_add (pools, g_object_ref (pool));
    }
  else
    pools = ferry_cli_get_ready_pools (self);

  for (guint i = 0; i < pools->len; i++)
    collect_matches (g_ptr_array_index (pools, i), kind, text, by_uuid, by_name);

  /* A uuid is unique by construction, so it wins over a VM that happens to
   * be named like another one's uuid. */
  matches = by_uuid->len > 0 ? by_uuid : by_name;

  /* (transfer full): the arrays drop theirs on the way out. */
  if (matches->len == 1)
    return g_object_ref (g_ptr_array_index (matches, 0));

  if (matches->len == 0)
    {
      if (pool != NULL)
        {
          /* Say so when the object exists, but in another pool. */
          g_autoptr(GPtrArray) all = ferry_cli_get_ready_pools (self);
          g_autoptr(GPtrArray) elsewhere_uuid = g_ptr_array_new_with_free_func (g_object_unref);
          g_autoptr(GPtrArray) elsewhere_name = g_ptr_array_new_with_free_func (g_object_unref);

          for (guint i = 0; i < all->len; i++)
            if (g_ptr_array_index (all, i) != pool)
              collect_matches (g_ptr_array_index (all, i), kind, text, elsewhere_uuid, elsewhere_name);

          if (elsewhere_uuid->len + elsewhere_name->len > 0)
            {
              GObject *other = g_ptr_array_index (elsewhere_uuid->len > 0 ? elsewhere_uuid : elsewhere_name, 0);

              /* TRANSLATORS: e.g. The storage repository “NFS” is in pool Lyon, but the target host is in pool Paris. */
              g_set_error (error, FERRY_CLI_ERROR, FERRY_CLI_ERROR_USAGE,
                           _("The %s “%s” is in pool %s, but the target host is in pool %s."),
                           kind_noun (kind), text, ferry_pool_get_name (object_pool (other)),
                           ferry_pool_get_name (pool));
              return NULL;
            }

          g_set_error (error, FERRY_CLI_ERROR, FERRY_CLI_ERROR_USAGE,
                       _("There is no %s “%s” in pool %s."),
                       kind_noun (kind), text, ferry_pool_get_name (pool));
          return NULL;
        }

      g_set_error (error, FERRY_CLI_ERROR, FERRY_CLI_ERROR_USAGE,
                   _("There is no %s “%s” in the connected pools (give its uuid or its exact name)."),
                   kind_noun (kind), text);
      return NULL;
    }

  {
    g_autoptr(GString) message = g_string_new (NULL);

    /* TRANSLATORS: %s are a name and a kind of object (VM, host, ...), %u how many have it */
    g_string_printf (message, _("“%s” is ambiguous: %u objects of kind %s have this name. Use one of these uuids:"),
                     text, matches->len, kind_noun (kind));
    for (guint i = 0; i < matches->len; i++)
      describe_candidate (message, g_ptr_array_index (matches, i));

    g_set_error_literal (error, FERRY_CLI_ERROR, FERRY_CLI_ERROR_USAGE, message->str);
    return NULL;
  }
}
