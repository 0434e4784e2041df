/* ferry-cli-list.c: ferryctl list
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferryctl"

#include "config.h"

#include <math.h>

#include <glib/gi18n.h>

#include "ferry-cli.h"

static int
compare_by_name (gconstpointer a,
                 gconstpointer b)
{
  GObject         *object_a = *(GObject **) a;
  GObject         *object_b = *(GObject **) b;
  g_autofree char *name_a = NULL;
  g_autofree char *name_b = NULL;
  g_autofree char *uuid_a = NULL;
  g_autofree char *uuid_b = NULL;
  int              cmp;

  g_object_get (object_a, "name", &name_a, "uuid", &uuid_a, NULL);
  g_object_get (object_b, "name", &name_b, "uuid", &uuid_b, NULL);

  cmp = g_utf8_collate (name_a != NULL ? name_a : "", name_b != NULL ? name_b : "");
  return cmp != 0 ? cmp : g_strcmp0 (uuid_a, uuid_b);
}

/* The items of @model, sorted by name (then uuid, so the order is stable). */
static GPtrArray *
sorted_items (GListModel *model)
{
  GPtrArray *items = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (items, g_list_model_get_item (model, i));
  g_ptr_array_sort (items, compare_by_name);
  return items;
}

/* Starts the JSON object of a pool or one of its objects, with its uuid
 * and name; json_builder_end_object() ends it. */
static void
begin_named_object (JsonBuilder *builder,
                    const char  *uuid,
                    const char  *name)
{
  json_builder_begin_object (builder);
  ferry_cli_json_add_string (builder, "uuid", uuid);
  ferry_cli_json_add_string (builder, "name_label", name);
}

typedef void (*AddMembers) (JsonBuilder *builder,
                            gpointer     item);

/* Adds @member: an array with one object per item of @model (a pool's
 * hosts, SRs, networks or VMs) in the order of sorted_items(), each with
 * its uuid and name, then what @add_members (may be NULL) adds. */
static void
add_objects (JsonBuilder *builder,
             const char  *member,
             GListModel  *model,
             AddMembers   add_members)
{
  g_autoptr(GPtrArray) items = sorted_items (model);

  ferry_cli_json_begin_array (builder, member);
  for (guint i = 0; i < items->len; i++)
    {
      GObject         *item = g_ptr_array_index (items, i);
      g_autofree char *uuid = NULL;
      g_autofree char *name = NULL;

      g_object_get (item, "uuid", &uuid, "name", &name, NULL);
      begin_named_object (builder, uuid, name);
      if (add_members != NULL)
        add_members (builder, item);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
add_host_members (JsonBuilder *builder,
                  gpointer     item)
{
  ferry_cli_json_add_string (builder, "address", ferry_host_get_address (item));
}

static void
add_sr_members (JsonBuilder *builder,
                gpointer     item)
{
  ferry_cli_json_add_boolean (builder, "shared", ferry_sr_get_shared (item));
}

static void
add_vm_members (JsonBuilder *builder,
                gpointer     item)
{
  FerryVm   *vm = item;
  FerryHost *host = ferry_vm_get_resident_on (vm);
  GPtrArray *disks = ferry_vm_get_disks (vm);

  ferry_cli_json_add_string (builder, "power_state", ferry_vm_get_power_state (vm));
  ferry_cli_json_add_string (builder, "resident_on", host != NULL ? ferry_host_get_uuid (host) : NULL);
  /* Where a halted or suspended VM starts or resumes next. */
  ferry_cli_json_add_string (builder, "affinity",
                             ferry_vm_get_affinity (vm) != NULL ? ferry_host_get_uuid (ferry_vm_get_affinity (vm)) : NULL);
  ferry_cli_json_begin_array (builder, "disks");
  for (guint d = 0; disks != NULL && d < disks->len; d++)
    {
      FerryDisk *disk = g_ptr_array_index (disks, d);

      json_builder_begin_object (builder);
      ferry_cli_json_add_string (builder, "vdi", disk->vdi_uuid);
      ferry_cli_json_add_string (builder, "sr", disk->sr != NULL ? ferry_sr_get_uuid (disk->sr) : NULL);
      ferry_cli_json_add_int (builder, "virtual_size", (gint64) disk->virtual_size);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

static void
build_pool_json (JsonBuilder *builder,
                 FerryPool   *pool)
{
  FerryHost *master = ferry_pool_get_master (pool);
  FerrySr   *default_sr = ferry_pool_get_default_sr (pool);

  begin_named_object (builder, ferry_pool_get_uuid (pool), ferry_pool_get_name (pool));
  ferry_cli_json_add_string (builder, "master", master != NULL ? ferry_host_get_uuid (master) : NULL);
  ferry_cli_json_add_string (builder, "default_SR", default_sr != NULL ? ferry_sr_get_uuid (default_sr) : NULL);
  add_objects (builder, "hosts", ferry_pool_get_hosts (pool), add_host_members);
  add_objects (builder, "srs", ferry_pool_get_srs (pool), add_sr_members);
  add_objects (builder, "networks", ferry_pool_get_networks (pool), NULL);
  add_objects (builder, "vms", ferry_pool_get_vms (pool), add_vm_members);
  json_builder_end_object (builder);
}

static void
add_vm_row (FerryCliTable *table,
            FerryVm       *vm)
{
  g_autofree char *memory = ferry_format_size (ferry_vm_get_memory (vm));
  g_autofree char *disks = NULL;
  g_autofree char *vcpus = NULL;
  g_autofree char *job_text = NULL;
  FerryJob        *job = ferry_vm_get_job (vm);

  vcpus = g_strdup_printf (ngettext ("%u vCPU", "%u vCPUs", ferry_vm_get_vcpus (vm)), ferry_vm_get_vcpus (vm));
  if (ferry_vm_get_disk_size (vm) > 0)
    {
      g_autofree char *size = ferry_format_size (ferry_vm_get_disk_size (vm));

      /* TRANSLATORS: the total size of a VM's disks, e.g. "disks 20 GiB" */
      disks = g_strdup_printf (_("disks %s"), size);
    }
  else
    disks = g_strdup (_("no disks"));

  if (job != NULL && !ferry_job_is_finished (job))
    {
      if (ferry_job_get_state (job) == FERRY_JOB_STATE_RUNNING)
        /* TRANSLATORS: a migration in progress, e.g. "migrating to paris-1, 42 %" */
        job_text = g_strdup_printf (_("migrating to %s, %u %%"), ferry_job_get_target_name (job),
                                    (guint) floor (ferry_job_get_progress (job) * 100));
      else
        job_text = g_strdup_printf ("%s (%s)", ferry_job_state_to_string (ferry_job_get_state (job)),
                                    ferry_job_get_target_name (job));
    }

  ferry_cli_table_add_row (table,
                           ferry_vm_get_name (vm),
                           ferry_cli_power_state_label (ferry_vm_get_power_state (vm)),
                           memory, vcpus, disks, job_text);
}

/* Splits rendered table text into its lines (without the newlines). */
static GStrv
render_lines (FerryCliTable *table,
              guint          indent)
{
  g_autoptr(GString) out = g_string_new (NULL);

  ferry_cli_table_render (table, indent, out);
  if (out->len > 0 && out->str[out->len - 1] == '\n')
    g_string_truncate (out, out->len - 1);
  if (out->len == 0)
    return g_new0 (char *, 1);
  return g_strsplit (out->str, "\n", -1);
}

/* A section of a pool in "list": its heading, then @table, or "(none)"
 * when @table has no rows. */
static void
append_section (GString       *out,
                const char    *heading,
                FerryCliTable *table)
{
  g_string_append_printf (out, "  %s\n", heading);
  if (ferry_cli_table_get_n_rows (table) == 0)
    g_string_append_printf (out, "    %s\n", _("(none)"));
  else
    ferry_cli_table_render (table, 4, out);
}

static void
print_pool_text (GString   *out,
                 FerryPool *pool)
{
  g_autoptr(GPtrArray) hosts = sorted_items (ferry_pool_get_hosts (pool));
  g_autoptr(GPtrArray) srs = sorted_items (ferry_pool_get_srs (pool));
  g_autoptr(GPtrArray) networks = sorted_items (ferry_pool_get_networks (pool));
  g_autoptr(GPtrArray) vms = sorted_items (ferry_pool_get_vms (pool));
  g_autoptr(FerryCliTable) host_table = ferry_cli_table_new (4);
  g_autoptr(FerryCliTable) vm_table = ferry_cli_table_new (6);
  g_autoptr(FerryCliTable) sr_table = ferry_cli_table_new (5);
  g_autoptr(FerryCliTable) network_table = ferry_cli_table_new (2);
  g_autoptr(GArray) vms_per_host = g_array_new (FALSE, TRUE, sizeof (guint));
  g_auto(GStrv) host_lines = NULL;
  g_auto(GStrv) vm_lines = NULL;
  FerrySr *default_sr = ferry_pool_get_default_sr (pool);
  guint    n_stopped = 0;
  guint    vm_line = 0;

  /* TRANSLATORS: the heading of a pool in "ferryctl list": its name and URL */
  {
    g_autofree char *name = ferry_cli_display_text (ferry_pool_get_name (pool), FERRY_CLI_MAX_FIELD_WIDTH);
    g_autofree char *url = ferry_cli_display_text (ferry_pool_get_url (pool), FERRY_CLI_MAX_FIELD_WIDTH);

    g_string_append_printf (out, _("Pool %s  (%s)\n"), name, url);
  }

  /* Hosts and the VMs running on them are two tables, so that each lines up
   * on its own, printed interleaved: a host, then its VMs. */
  for (guint i = 0; i < hosts->len; i++)
    {
      FerryHost *host = g_ptr_array_index (hosts, i);
      g_autoptr(GPtrArray) resident = sorted_items (ferry_host_get_vms (host));
      g_autofree char *heading = g_strdup_printf (_("Host %s"), ferry_host_get_name (host));
      g_autofree char *free_mem = ferry_format_size (ferry_host_get_memory_free (host));
      g_autofree char *total_mem = ferry_format_size (ferry_host_get_memory_total (host));
      /* TRANSLATORS: a host's memory, e.g. "52 GiB free of 64 GiB" */
      g_autofree char *memory = g_strdup_printf (_("%s free of %s"), free_mem, total_mem);
      g_autoptr(GString) flags = g_string_new (NULL);

      if (ferry_host_get_is_master (host))
        g_string_append (flags, _("master"));
      if (!ferry_host_get_enabled (host))
        g_string_append_printf (flags, "%s%s", flags->len > 0 ? ", " : "", _("disabled"));
      if (!ferry_host_get_live (host))
        g_string_append_printf (flags, "%s%s", flags->len > 0 ? ", " : "", _("not live"));

      ferry_cli_table_add_row (host_table, heading, ferry_host_get_address (host), memory, flags->str);

      for (guint v = 0; v < resident->len; v++)
        add_vm_row (vm_table, g_ptr_array_index (resident, v));
      g_array_append_val (vms_per_host, resident->len);
    }

  for (guint i = 0; i < vms->len; i++)
    if (ferry_vm_get_resident_on (g_ptr_array_index (vms, i)) == NULL)
      {
        add_vm_row (vm_table, g_ptr_array_index (vms, i));
        n_stopped++;
      }

  host_lines = render_lines (host_table, 2);
  vm_lines = render_lines (vm_table, 4);

  for (guint i = 0; host_lines[i] != NULL; i++)
    {
      guint n = g_array_index (vms_per_host, guint, i);

      g_string_append_printf (out, "%s\n", host_lines[i]);
      if (n == 0)
        g_string_append_printf (out, "    %s\n", _("(no running VMs)"));
      for (guint v = 0; v < n && vm_lines[vm_line] != NULL; v++)
        g_string_append_printf (out, "%s\n", vm_lines[vm_line++]);
    }

  if (n_stopped > 0)
    {
      g_string_append_printf (out, "  %s\n", _("Not running"));
      for (guint v = 0; v < n_stopped && vm_lines[vm_line] != NULL; v++)
        g_string_append_printf (out, "%s\n", vm_lines[vm_line++]);
    }

  for (guint i = 0; i < srs->len; i++)
    {
      FerrySr         *sr = g_ptr_array_index (srs, i);
      g_autofree char *free_size = ferry_format_size (ferry_sr_get_free (sr));
      g_autofree char *size = ferry_format_size (ferry_sr_get_size (sr));
      /* TRANSLATORS: an SR's space, e.g. "1.5 TiB free of 2 TiB" */
      g_autofree char *space = g_strdup_printf (_("%s free of %s"), free_size, size);

      ferry_cli_table_add_row (sr_table,
                               ferry_sr_get_name (sr),
                               ferry_sr_get_sr_type (sr),
                               ferry_sr_get_shared (sr) ? _("shared") : _("local"),
                               sr == default_sr ? _("default") : "",
                               space);
    }
  append_section (out, _("Storage"), sr_table);

  for (guint i = 0; i < networks->len; i++)
    {
      FerryNetwork *network = g_ptr_array_index (networks, i);

      ferry_cli_table_add_row (network_table, ferry_network_get_name (network),
                               ferry_network_get_bridge (network));
    }
  append_section (out, _("Networks"), network_table);
}

int
ferry_cli_cmd_list (FerryCli *self,
                    int       argc,
                    char    **argv)
{
  gboolean           json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print one JSON object (pools with their hosts, SRs, networks and VMs; references as uuids)"), NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) pools = NULL;
  guint n_failed = 0;
  int   status;

  context = ferry_cli_option_context_new ("list", NULL,
                                          _("Shows every pool of the saved servers (or of --server): its hosts and the "
                                            "VMs running on them with their power state and memory, the VMs that are "
                                            "not running, the storage repositories and the networks. Templates, "
                                            "snapshots and control domains are left out."));
  if (!ferry_cli_parse_command (self, context, entries, &argc, &argv, &status) ||
      !ferry_cli_check_arguments ("list", argc, 1, _("list takes no arguments."), NULL, &status))
    return status;

  if (!ferry_cli_connect (self, &n_failed, &error))
    return ferry_cli_report_error (error, "list");

  pools = ferry_cli_get_ready_pools (self);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = ferry_cli_json_list_new ("pools");

      for (guint i = 0; i < pools->len; i++)
        build_pool_json (builder, g_ptr_array_index (pools, i));
      ferry_cli_json_list_print (builder);
    }
  else
    {
      g_autoptr(GString) out = g_string_new (NULL);

      for (guint i = 0; i < pools->len; i++)
        {
          if (i > 0)
            g_string_append_c (out, '\n');
          print_pool_text (out, g_ptr_array_index (pools, i));
        }
      g_print ("%s", out->str);
    }

  /* What could be listed was; the exit status still tells a script that
   * some pool is missing from it. */
  return n_failed > 0 ? FERRY_CLI_EXIT_FAILURE : FERRY_CLI_EXIT_OK;
}
