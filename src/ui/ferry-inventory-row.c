/* ferry-inventory-row.c: one recycled row of the inventory (a pool, host, VM or group)
 *
 * Rows are created a screenful at a time and rebound as the list scrolls, so
 * a row never assumes which object it shows: it follows its current item
 * through a GSignalGroup (the VM's job through a second one, and the pool a
 * host, VM or group belongs to through a third, so that their rows grey out
 * while it is not connected), and drops every connection when it is
 * unbound: a screenful of rows listens, never every VM.  The same widget
 * carries the drag source (VM rows), the drop target (host and pool rows)
 * and the context menu gesture.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-inventory"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-inventory-group.h"
#include "ferry-inventory-row.h"
#include "ferry-inventory-drag.h"
#include "ferry-ui-util.h"

struct _FerryInventoryRow
{
  GtkWidget           parent_instance;

  FerryInventoryDrag *drag;      /* shared with the view and the other rows */
  GtkListItem        *list_item; /* weak: owned by the list view */
  GObject            *item;      /* FerryPool, FerryHost, FerryVm or FerryInventoryGroup */

  GtkWidget          *expander;
  GtkWidget          *content;
  GtkWidget          *icon;
  GtkWidget          *title;
  GtkWidget          *subtitle;
  GtkWidget          *status; /* pools: their error, wrapped, in full */
  GtkWidget          *progress;
  GtkWidget          *spinner;

  GSignalGroup       *item_signals;
  GSignalGroup       *job_signals;
  GSignalGroup       *pool_signals;  /* pools: their VM list */
  GSignalGroup       *owner_signals; /* hosts, VMs, groups: their pool's state */

  /* While a drag is over the inventory: whether this (host or pool) row can
   * take the dragged VMs, and if not, why. */
  gboolean            drag_active;
  gboolean            drag_ok;
  char               *drag_reason;
};

enum
{
  SIGNAL_CONTEXT_MENU,
  SIGNAL_VMS_DROPPED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (FerryInventoryRow, ferry_inventory_row, GTK_TYPE_WIDGET)

/*
 * Auxiliary methods
 */

static void
set_label (GtkWidget  *label,
           const char *text)
{
  gtk_label_set_text (GTK_LABEL (label), text ? text : "");
  gtk_widget_set_visible (label, text != NULL && text[0] != '\0');
}

/* gtk_widget_set_tooltip_text() asks the X server where the pointer is
 * every time (to refresh a tooltip that may be showing), even when the text
 * stays the same; rows are updated on every change of their item and of
 * the pool's lists, so that round trip made loading a large pool stall. */
static void
set_tooltip (GtkWidget  *widget,
             const char *text)
{
  if (text != NULL && text[0] == '\0')
    text = NULL;
  if (g_strcmp0 (gtk_widget_get_tooltip_text (widget), text) == 0)
    return;
  gtk_widget_set_tooltip_text (widget, text);
}

static char *
describe_job (FerryJob *job)
{
  FerryJobState state = ferry_job_get_state (job);
  const char   *target = ferry_job_get_target_name (job);

  switch (state)
    {
    case FERRY_JOB_STATE_RUNNING:
      {
        g_autofree char *progress = ferry_format_job_progress (job);

        /* Translators: "migrating to lyon-2 · 42% · 580 MB/s · 1 min left" */
        return g_strdup_printf (_("migrating to %s · %s"), target ? target : "", progress);
      }
    case FERRY_JOB_STATE_AWAITING_CONFIRMATION:
      return g_strdup_printf (_("waiting for confirmation to move to %s"), target ? target : "");
    case FERRY_JOB_STATE_QUEUED:
      /* A paused job is still queued, but it will not start by itself: the
       * row says so, as the jobs panel does. */
      if (ferry_job_get_paused (job))
        return g_strdup_printf (_("paused before moving to %s"), target ? target : "");
      return g_strdup_printf (_("queued to move to %s"), target ? target : "");
    case FERRY_JOB_STATE_CHECKING:
      return g_strdup_printf (_("checking the move to %s"), target ? target : "");
    case FERRY_JOB_STATE_CANCELLING:
      return g_strdup (_("cancelling the migration"));
    case FERRY_JOB_STATE_SUCCEEDED:
    case FERRY_JOB_STATE_FAILED:
    case FERRY_JOB_STATE_CANCELLED:
    default:
      return NULL;
    }
}

static void
update_pool (FerryInventoryRow *self,
             FerryPool         *pool,
             GString           *a11y)
{
  FerryPoolState state = ferry_pool_get_state (pool);
  const char    *error = ferry_pool_get_error (pool);
  gboolean       busy = state == FERRY_POOL_STATE_CONNECTING ||
                  state == FERRY_POOL_STATE_LOADING ||
                  state == FERRY_POOL_STATE_RECONNECTING;
  g_autofree char  *subtitle = NULL;

  FerryManager     *manager = ferry_inventory_drag_get_manager (self->drag);
  FerryServerStore *store = manager ? ferry_manager_get_store (manager) : NULL;
  const char       *name = ferry_pool_get_name (pool);

  /* Until a pool answers, its name is its URL; a saved pool's last known
   * name reads better. */
  if (store != NULL && g_strcmp0 (name, ferry_pool_get_url (pool)) == 0)
    {
      FerryServer *server = ferry_server_store_lookup (store, ferry_pool_get_url (pool));

      if (server != NULL && ferry_server_get_label (server) != NULL)
        name = ferry_server_get_label (server);
    }

  gtk_image_set_from_icon_name (GTK_IMAGE (self->icon), "network-workgroup-symbolic");
  set_label (self->title, name);

  if (state == FERRY_POOL_STATE_READY)
    {
      guint            n_hosts = g_list_model_get_n_items (ferry_pool_get_hosts (pool));
      guint            n_vms = g_list_model_get_n_items (ferry_pool_get_vms (pool));
      g_autofree char *hosts = g_strdup_printf (ngettext ("%u host", "%u hosts", n_hosts), n_hosts);
      g_autofree char *vms = g_strdup_printf (ngettext ("%u VM", "%u VMs", n_vms), n_vms);

      /* Translators: "3 hosts, 12 VMs" */
      subtitle = g_strdup_printf (_("%s, %s"), hosts, vms);
    }
  else
    subtitle = g_strdup (ferry_pool_state_label (state));

  set_label (self->subtitle, subtitle);
  set_tooltip (self->subtitle, NULL);
  gtk_widget_set_visible (self->spinner, busy);
  gtk_spinner_set_spinning (GTK_SPINNER (self->spinner), busy);
  gtk_widget_remove_css_class (self->subtitle, "error");

  /* The error is a whole sentence, often with a 95-character fingerprint:
   * it gets a line of its own that wraps, never an ellipsis. */
  if (error != NULL && (state == FERRY_POOL_STATE_FAILED || state == FERRY_POOL_STATE_RECONNECTING))
    set_label (self->status, error);

  g_string_append_printf (a11y, _("Pool %s, %s"), name,
                          state == FERRY_POOL_STATE_READY ? _("connected") : ferry_pool_state_label (state));
  if (error != NULL && state != FERRY_POOL_STATE_READY)
    g_string_append_printf (a11y, ": %s", error);
}

static void
update_host (FerryInventoryRow *self,
             FerryHost         *host,
             GString           *a11y)
{
  g_autofree char *free_mem = ferry_format_memory (ferry_host_get_memory_free (host));
  g_autofree char *total_mem = ferry_format_memory (ferry_host_get_memory_total (host));
  g_autofree char *subtitle = NULL;
  gboolean         live = ferry_host_get_live (host);
  gboolean         enabled = ferry_host_get_enabled (host);

  gtk_image_set_from_icon_name (GTK_IMAGE (self->icon),
                                live ? "network-server-symbolic" : "computer-fail-symbolic");
  set_label (self->title, ferry_host_get_name (host));

  /* Translators: host memory, "12 GiB free of 64 GiB" */
  subtitle = g_strdup_printf (_("%s free of %s"), free_mem, total_mem);
  if (ferry_host_get_is_master (host))
    {
      g_autofree char *tmp = g_steal_pointer (&subtitle);
      /* Translators: appended to a host's memory line */
      subtitle = g_strdup_printf (_("%s · pool master"), tmp);
    }
  if (!live || !enabled)
    {
      g_autofree char *tmp = g_steal_pointer (&subtitle);
      subtitle = g_strdup_printf ("%s · %s", tmp, !live ? _("offline") : _("disabled"));
    }
  set_label (self->subtitle, subtitle);
  set_tooltip (self->subtitle, NULL);
  gtk_widget_set_visible (self->spinner, FALSE);
  gtk_widget_remove_css_class (self->subtitle, "error");

  /* Translators: accessible name of a host row, "Host lyon-2, 12 GiB free" */
  g_string_append_printf (a11y, _("Host %s, %s free"), ferry_host_get_name (host), free_mem);
  if (ferry_host_get_is_master (host))
    g_string_append_printf (a11y, ", %s", _("pool master"));
  if (!live)
    g_string_append_printf (a11y, ", %s", _("offline"));
  else if (!enabled)
    g_string_append_printf (a11y, ", %s", _("disabled"));
}

static void
update_vm (FerryInventoryRow *self,
           FerryVm           *vm,
           GString           *a11y)
{
  const char      *power = ferry_vm_get_power_state (vm);
  FerryHost       *host = ferry_vm_get_resident_on (vm);
  FerryHost       *home = host == NULL ? ferry_vm_get_affinity (vm) : NULL;
  FerryJob        *job = ferry_vm_get_job (vm);
  g_autofree char *memory = ferry_format_memory (ferry_vm_get_memory (vm));
  g_autofree char *subtitle = NULL;
  g_autofree char *job_text = NULL;
  gboolean         running_job = FALSE;

  gtk_image_set_from_icon_name (GTK_IMAGE (self->icon), ferry_power_state_icon (power));
  gtk_widget_remove_css_class (self->icon, "vm-running");
  gtk_widget_remove_css_class (self->icon, "vm-stopped");
  gtk_widget_add_css_class (self->icon, g_strcmp0 (power, "Running") == 0 ? "vm-running" : "vm-stopped");
  set_label (self->title, ferry_vm_get_name (vm));

  if (job != NULL)
    job_text = describe_job (job);

  if (job_text != NULL)
    subtitle = g_strdup (job_text);
  else if (g_strcmp0 (power, "Running") == 0)
    /* Translators: "4 GiB, 2 vCPUs" */
    subtitle = g_strdup_printf (ngettext ("%s, %u vCPU", "%s, %u vCPUs", ferry_vm_get_vcpus (vm)),
                                memory, ferry_vm_get_vcpus (vm));
  else if (home != NULL)
    /* Translators: a VM that does not run, and the host it will start on,
     * "Halted · home host lyon-2" */
    subtitle = g_strdup_printf (_("%s · home host %s"), ferry_power_state_label (power), ferry_host_get_name (home));
  else
    subtitle = g_strdup (ferry_power_state_label (power));
  set_label (self->subtitle, subtitle);
  set_tooltip (self->subtitle, NULL);
  gtk_widget_remove_css_class (self->subtitle, "error");

  if (job != NULL)
    {
      FerryJobState state = ferry_job_get_state (job);

      /* A bar only while data moves; waiting states say so in words. */
      running_job = state == FERRY_JOB_STATE_RUNNING || state == FERRY_JOB_STATE_CANCELLING;
      gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (self->progress), ferry_job_get_progress (job));
    }
  gtk_widget_set_visible (self->progress, running_job);
  gtk_widget_set_visible (self->spinner, FALSE);

  if (host != NULL)
    /* Translators: accessible name of a VM row, "VM web-01, running on lyon-1" */
    g_string_append_printf (a11y, _("VM %s, %s on %s"), ferry_vm_get_name (vm),
                            ferry_power_state_label (power), ferry_host_get_name (host));
  else if (home != NULL)
    /* Translators: accessible name of a VM row, "VM db-old, halted, home host lyon-2" */
    g_string_append_printf (a11y, _("VM %s, %s, home host %s"), ferry_vm_get_name (vm),
                            ferry_power_state_label (power), ferry_host_get_name (home));
  else
    /* Translators: accessible name of a VM row, "VM db-old, halted" */
    g_string_append_printf (a11y, _("VM %s, %s"), ferry_vm_get_name (vm), ferry_power_state_label (power));
  if (job_text != NULL)
    g_string_append_printf (a11y, ", %s", job_text);
}

static void
update_group (FerryInventoryRow   *self,
              FerryInventoryGroup *group,
              GString             *a11y)
{
  guint            n_vms = ferry_inventory_group_get_n_vms (group);
  g_autofree char *count = g_strdup_printf (ngettext ("%u VM", "%u VMs", n_vms), n_vms);
  FerryPool       *pool = ferry_inventory_group_get_pool (group);

  gtk_image_set_from_icon_name (GTK_IMAGE (self->icon), "system-shutdown-symbolic");
  /* Translators: the heading, under a pool, of its VMs that run on no host */
  set_label (self->title, _("Halted and suspended"));
  set_label (self->subtitle, count);
  set_tooltip (self->subtitle, NULL);
  gtk_widget_remove_css_class (self->subtitle, "error");
  gtk_widget_set_visible (self->spinner, FALSE);

  /* Translators: accessible name of the group row, "Halted and suspended VMs of Lyon, 2 VMs" */
  g_string_append_printf (a11y, _("Halted and suspended VMs of %s, %s"),
                          pool ? ferry_pool_get_name (pool) : "", count);
}

/* The pool a host, VM or group row belongs to. */
static FerryPool *
owner_pool (GObject *item)
{
  if (FERRY_IS_HOST (item))
    return ferry_host_get_pool (FERRY_HOST (item));
  if (FERRY_IS_VM (item))
    return ferry_vm_get_pool (FERRY_VM (item));
  if (FERRY_IS_INVENTORY_GROUP (item))
    return ferry_inventory_group_get_pool (FERRY_INVENTORY_GROUP (item));
  return NULL;
}

/* While its pool is not connected, what a row shows is only what was last
 * known; first loads (LOADING) are live data arriving, not stale. */
static gboolean
pool_is_stale (FerryPool *pool)
{
  FerryPoolState state;

  if (pool == NULL)
    return FALSE;
  state = ferry_pool_get_state (pool);
  return state != FERRY_POOL_STATE_READY && state != FERRY_POOL_STATE_LOADING;
}

static void
update (FerryInventoryRow *self)
{
  g_autoptr(GString) a11y = g_string_new (NULL);
  const char *description = "";
  gboolean    stale;

  gtk_widget_set_visible (self->progress, FALSE);
  set_label (self->status, NULL);

  if (FERRY_IS_POOL (self->item))
    update_pool (self, FERRY_POOL (self->item), a11y);
  else if (FERRY_IS_HOST (self->item))
    update_host (self, FERRY_HOST (self->item), a11y);
  else if (FERRY_IS_VM (self->item))
    update_vm (self, FERRY_VM (self->item), a11y);
  else if (FERRY_IS_INVENTORY_GROUP (self->item))
    update_group (self, FERRY_INVENTORY_GROUP (self->item), a11y);

  stale = pool_is_stale (owner_pool (self->item));
  if (stale)
    {
      gtk_widget_add_css_class (self->content, "dim-label");
      description = _("Pool not connected: last known state");
    }
  else
    gtk_widget_remove_css_class (self->content, "dim-label");

  gtk_widget_remove_css_class (GTK_WIDGET (self), "drop-ok");
  gtk_widget_remove_css_class (GTK_WIDGET (self), "drop-bad");
  set_tooltip (GTK_WIDGET (self), NULL);
  if (self->drag_active)
    {
      if (self->drag_ok)
        {
          gtk_widget_add_css_class (GTK_WIDGET (self), "drop-ok");
          g_string_append_printf (a11y, ", %s", _("can take the dragged VMs"));
        }
      else
        {
          gtk_widget_add_css_class (GTK_WIDGET (self), "drop-bad");
          set_label (self->subtitle, self->drag_reason);
          set_tooltip (GTK_WIDGET (self), self->drag_reason);
          g_string_append_printf (a11y, ", %s", self->drag_reason);
        }
    }

  if (self->drag_active && !self->drag_ok)
    description = self->drag_reason;
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, a11y->str,
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, description,
                                  -1);
}

/* Re-reads the drag state: highlights a host that can take the dragged
 * VMs, or shows why it cannot. */
static void
update_drag (FerryInventoryRow *self)
{
  GPtrArray    *vms = ferry_inventory_drag_get_vms (self->drag);
  FerryHost    *target = self->item ? ferry_inventory_drag_target_host (self->item) : NULL;
  FerryManager *manager = ferry_inventory_drag_get_manager (self->drag);

  g_clear_pointer (&self->drag_reason, g_free);
  self->drag_active = FALSE;
  self->drag_ok = FALSE;

  if (vms != NULL && vms->len > 0 && manager != NULL && (FERRY_IS_HOST (self->item) || FERRY_IS_POOL (self->item)))
    {
      self->drag_active = TRUE;
      self->drag_ok = TRUE;

      if (target == NULL)
        {
          self->drag_ok = FALSE;
          self->drag_reason = g_strdup (_("This pool has no master host to take VMs"));
        }

      for (guint i = 0; target != NULL && i < vms->len; i++)
        {
          FerryVm         *vm = g_ptr_array_index (vms, i);
          g_autofree char *reason = NULL;

          if (ferry_manager_check_target (manager, vm, target, &reason))
            continue;

          self->drag_ok = FALSE;
          if (vms->len > 1)
            self->drag_reason = g_strdup_printf ("%s: %s", ferry_vm_get_name (vm),
                                                 reason ? reason : _("cannot move here"));
          else
            self->drag_reason = g_strdup (reason ? reason : _("Cannot move here"));
          break;
        }

      /* On a pool row the reason is about its master; say which host. */
      if (!self->drag_ok && target != NULL && FERRY_IS_POOL (self->item))
        {
          g_autofree char *tmp = g_steal_pointer (&self->drag_reason);

          /* Translators: while dragging over a pool: "lyon-1 (pool master): Already on this host" */
          self->drag_reason = g_strdup_printf (_("%s (pool master): %s"), ferry_host_get_name (target), tmp);
        }
    }

  if (self->item != NULL)
    update (self);
}

/*
 * Signal callbacks
 */

static void
drag_changed_cb (FerryInventoryRow  *self,
                 FerryInventoryDrag *drag)
{
  update_drag (self);
}

static void
item_notify_cb (FerryInventoryRow *self,
                GParamSpec        *pspec,
                GObject           *item)
{
  if (FERRY_IS_VM (item) && g_strcmp0 (pspec->name, "job") == 0)
    g_signal_group_set_target (self->job_signals, ferry_vm_get_job (FERRY_VM (item)));
  update (self);
}

static void
owner_state_cb (FerryInventoryRow *self,
                GParamSpec        *pspec,
                FerryPool         *pool)
{
  update (self);
}

static void
job_notify_cb (FerryInventoryRow *self,
               GParamSpec        *pspec,
               FerryJob          *job)
{
  update (self);
}

static void
pool_items_changed_cb (FerryInventoryRow *self,
                       guint              position,
                       guint              removed,
                       guint              added,
                       GListModel        *model)
{
  update (self);
}

static GdkContentProvider *
drag_prepare_cb (FerryInventoryRow *self,
                 double             x,
                 double             y,
                 GtkDragSource     *source)
{
  g_autoptr(GPtrArray) vms = NULL;
  g_autoptr(FerryVmDrag) payload = NULL;

  if (!FERRY_IS_VM (self->item))
    return NULL;

  vms = ferry_inventory_drag_vms_for_row (self->drag, ferry_inventory_row_get_position (self), self->item);
  if (vms->len == 0)
    return NULL;

  /* The VMs travel as Ferry's own boxed type and nothing else: no text, so
   * that no other application can read them, and, above all, so that the
   * drop targets need not accept text, which anyone can drag in. */
  payload = ferry_vm_drag_new (vms);
  if (ferry_vm_drag_get_n_vms (payload) == 0)
    return NULL;

  ferry_inventory_drag_begin (self->drag, vms);
  return gdk_content_provider_new_typed (FERRY_TYPE_VM_DRAG, payload);
}

static void
drag_begin_cb (FerryInventoryRow *self,
               GdkDrag           *drag,
               GtkDragSource     *source)
{
  GPtrArray       *vms = ferry_inventory_drag_get_vms (self->drag);
  g_autofree char *text = NULL;
  GtkWidget       *label;

  /* A real widget with its own background: a paintable of the row would be
   * drawn on whatever the drag surface holds (black without a compositor). */
  if (vms != NULL && vms->len > 1)
    text = g_strdup_printf (ngettext ("%u VM", "%u VMs", vms->len), vms->len);
  else if (FERRY_IS_VM (self->item))
    text = g_strdup (ferry_vm_get_name (FERRY_VM (self->item)));
  label = gtk_label_new (text);
  gtk_widget_add_css_class (label, "drag-icon");
  gtk_drag_icon_set_child (GTK_DRAG_ICON (gtk_drag_icon_get_for_drag (drag)), label);
}

static void
drag_end_cb (FerryInventoryRow *self,
             GdkDrag           *drag,
             gboolean           delete_data,
             GtkDragSource     *source)
{
  ferry_inventory_drag_end (self->drag);
}

static gboolean
drop_accept_cb (FerryInventoryRow *self,
                GdkDrop           *drop,
                GtkDropTarget     *target)
{
  if (self->item == NULL || (!FERRY_IS_HOST (self->item) && !FERRY_IS_POOL (self->item)))
    return FALSE;
  /* Only a drag of Ferry's own VMs; text from elsewhere is refused here,
   * before any hover feedback or drop. */
  return gdk_content_formats_contain_gtype (gdk_drop_get_formats (drop), FERRY_TYPE_VM_DRAG);
}

static GdkDragAction
drop_motion_cb (FerryInventoryRow *self,
                double             x,
                double             y,
                GtkDropTarget     *target)
{
  return GDK_ACTION_MOVE;
}

static gboolean
drop_cb (FerryInventoryRow *self,
         const GValue      *value,
         double             x,
         double             y,
         GtkDropTarget     *target)
{
  gboolean taken = FALSE;

  if (self->item == NULL || !G_VALUE_HOLDS (value, FERRY_TYPE_VM_DRAG))
    return FALSE;

  g_signal_emit (self, signals[SIGNAL_VMS_DROPPED], 0, g_value_get_boxed (value), &taken);
  return taken;
}

static void
context_pressed_cb (FerryInventoryRow *self,
                    int                n_press,
                    double             x,
                    double             y,
                    GtkGestureClick   *gesture)
{
  if (!FERRY_IS_VM (self->item) && !FERRY_IS_POOL (self->item))
    return;

  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  g_signal_emit (self, signals[SIGNAL_CONTEXT_MENU], 0, x, y);
}

/*
 * Public API
 */

void
ferry_inventory_row_bind (FerryInventoryRow *self,
                          GtkListItem       *list_item)
{
  GtkTreeListRow *tree_row;

  g_return_if_fail (FERRY_IS_INVENTORY_ROW (self));

  self->list_item = list_item;
  tree_row = gtk_list_item_get_item (list_item);
  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (self->expander), tree_row);
  g_set_object (&self->item, gtk_tree_list_row_get_item (tree_row));
  /* gtk_tree_list_row_get_item() is (transfer full). */
  if (self->item != NULL)
    g_object_unref (self->item);

  gtk_widget_remove_css_class (GTK_WIDGET (self), "pool-row");
  gtk_widget_remove_css_class (GTK_WIDGET (self), "host-row");
  gtk_widget_remove_css_class (GTK_WIDGET (self), "vm-row");
  gtk_widget_remove_css_class (GTK_WIDGET (self), "group-row");
  g_signal_group_set_target (self->owner_signals, owner_pool (self->item));
  if (FERRY_IS_POOL (self->item))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), "pool-row");
      g_signal_group_set_target (self->pool_signals, ferry_pool_get_vms (FERRY_POOL (self->item)));
    }
  else if (FERRY_IS_HOST (self->item))
    gtk_widget_add_css_class (GTK_WIDGET (self), "host-row");
  else if (FERRY_IS_VM (self->item))
    {
      gtk_widget_add_css_class (GTK_WIDGET (self), "vm-row");
      g_signal_group_set_target (self->job_signals, ferry_vm_get_job (FERRY_VM (self->item)));
    }
  else if (FERRY_IS_INVENTORY_GROUP (self->item))
    gtk_widget_add_css_class (GTK_WIDGET (self), "group-row");

  g_signal_group_set_target (self->item_signals, self->item);
  update_drag (self);
}

void
ferry_inventory_row_unbind (FerryInventoryRow *self)
{
  g_return_if_fail (FERRY_IS_INVENTORY_ROW (self));

  g_signal_group_set_target (self->item_signals, NULL);
  g_signal_group_set_target (self->job_signals, NULL);
  g_signal_group_set_target (self->pool_signals, NULL);
  g_signal_group_set_target (self->owner_signals, NULL);
  gtk_tree_expander_set_list_row (GTK_TREE_EXPANDER (self->expander), NULL);
  g_clear_object (&self->item);
  self->list_item = NULL;
  self->drag_active = FALSE;
  g_clear_pointer (&self->drag_reason, g_free);
}

GObject *
ferry_inventory_row_get_item (FerryInventoryRow *self)
{
  g_return_val_if_fail (FERRY_IS_INVENTORY_ROW (self), NULL);

  return self->item;
}

guint
ferry_inventory_row_get_position (FerryInventoryRow *self)
{
  g_return_val_if_fail (FERRY_IS_INVENTORY_ROW (self), GTK_INVALID_LIST_POSITION);

  if (self->list_item == NULL)
    return GTK_INVALID_LIST_POSITION;
  return gtk_list_item_get_position (self->list_item);
}

/*
 * GObject
 */

static void
ferry_inventory_row_dispose (GObject *object)
{
  FerryInventoryRow *self = FERRY_INVENTORY_ROW (object);
  GtkWidget         *child;

  if (self->drag != NULL)
    g_signal_handlers_disconnect_by_data (self->drag, self);
  g_clear_object (&self->drag);

  if (self->item_signals != NULL)
    g_signal_group_set_target (self->item_signals, NULL);
  if (self->job_signals != NULL)
    g_signal_group_set_target (self->job_signals, NULL);
  if (self->pool_signals != NULL)
    g_signal_group_set_target (self->pool_signals, NULL);
  if (self->owner_signals != NULL)
    g_signal_group_set_target (self->owner_signals, NULL);
  g_clear_object (&self->item_signals);
  g_clear_object (&self->job_signals);
  g_clear_object (&self->pool_signals);
  g_clear_object (&self->owner_signals);
  g_clear_object (&self->item);
  g_clear_pointer (&self->drag_reason, g_free);
  /* The expander, the status line, and a context menu popover if one is
   * open. */
  self->expander = NULL;
  self->status = NULL;
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (ferry_inventory_row_parent_class)->dispose (object);
}

static void
ferry_inventory_row_class_init (FerryInventoryRowClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ferry_inventory_row_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "inventoryrow");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);

  /* "context-menu" (double x, double y): the row asks for its menu at
   * (@x, @y), in its own coordinates; the view builds and shows it. */
  signals[SIGNAL_CONTEXT_MENU] =
    g_signal_new ("context-menu", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
  /* "vms-dropped" (FerryVmDrag *payload) → gboolean: Ferry's VMs were
   * dropped on this (host or pool) row; TRUE if the view took them. */
  signals[SIGNAL_VMS_DROPPED] =
    g_signal_new ("vms-dropped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 1, FERRY_TYPE_VM_DRAG);
}

static void
ferry_inventory_row_init (FerryInventoryRow *self)
{
  GtkWidget     *box;
  GtkWidget     *text;
  GtkDragSource *source;
  GtkDropTarget *target;
  GtkGesture    *click;

  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (GTK_WIDGET (self))),
                                  GTK_ORIENTATION_VERTICAL);
  self->expander = gtk_tree_expander_new ();
  gtk_widget_set_parent (self->expander, GTK_WIDGET (self));

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_end (box, 12);
  gtk_tree_expander_set_child (GTK_TREE_EXPANDER (self->expander), box);
  self->content = box;

  self->icon = gtk_image_new ();
  gtk_widget_add_css_class (self->icon, "row-icon");
  gtk_box_append (GTK_BOX (box), self->icon);

  text = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (box), text);

  self->title = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->title), 0);
  gtk_label_set_ellipsize (GTK_LABEL (self->title), PANGO_ELLIPSIZE_END);
  gtk_widget_add_css_class (self->title, "row-title");
  gtk_box_append (GTK_BOX (text), self->title);

  self->subtitle = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->subtitle), 0);
  gtk_label_set_ellipsize (GTK_LABEL (self->subtitle), PANGO_ELLIPSIZE_END);
  gtk_widget_set_hexpand (self->subtitle, TRUE);
  gtk_widget_add_css_class (self->subtitle, "dim-label");
  gtk_widget_add_css_class (self->subtitle, "row-subtitle");
  gtk_box_append (GTK_BOX (text), self->subtitle);

  self->spinner = gtk_spinner_new ();
  gtk_widget_set_visible (self->spinner, FALSE);
  gtk_box_append (GTK_BOX (box), self->spinner);

  self->progress = gtk_progress_bar_new ();
  gtk_widget_set_valign (self->progress, GTK_ALIGN_CENTER);
  gtk_widget_set_size_request (self->progress, 96, -1);
  gtk_widget_set_visible (self->progress, FALSE);
  gtk_box_append (GTK_BOX (box), self->progress);

  /* Below the expander, not inside it, so that the arrow and the icon stay
   * on the title's line; only pool rows (depth 0) have one, so it lines up
   * with their title.  Not selectable: a selectable label inside a list row
   * takes the clicks and the focus that select, drag and open the row's
   * menu. */
  self->status = gtk_label_new (NULL);
  gtk_label_set_xalign (GTK_LABEL (self->status), 0);
  gtk_label_set_wrap (GTK_LABEL (self->status), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (self->status), PANGO_WRAP_WORD_CHAR);
  gtk_label_set_natural_wrap_mode (GTK_LABEL (self->status), GTK_NATURAL_WRAP_WORD);
  gtk_widget_set_visible (self->status, FALSE);
  gtk_widget_add_css_class (self->status, "error");
  gtk_widget_add_css_class (self->status, "row-status");
  gtk_widget_set_parent (self->status, GTK_WIDGET (self));

  self->item_signals = g_signal_group_new (G_TYPE_OBJECT);
  g_signal_group_connect_swapped (self->item_signals, "notify", G_CALLBACK (item_notify_cb), self);
  self->job_signals = g_signal_group_new (FERRY_TYPE_JOB);
  g_signal_group_connect_swapped (self->job_signals, "notify", G_CALLBACK (job_notify_cb), self);
  self->pool_signals = g_signal_group_new (G_TYPE_LIST_MODEL);
  g_signal_group_connect_swapped (self->pool_signals, "items-changed", G_CALLBACK (pool_items_changed_cb), self);
  self->owner_signals = g_signal_group_new (FERRY_TYPE_POOL);
  g_signal_group_connect_swapped (self->owner_signals, "notify::state", G_CALLBACK (owner_state_cb), self);

  source = gtk_drag_source_new ();
  gtk_drag_source_set_actions (source, GDK_ACTION_MOVE);
  g_signal_connect_swapped (source, "prepare", G_CALLBACK (drag_prepare_cb), self);
  g_signal_connect_swapped (source, "drag-begin", G_CALLBACK (drag_begin_cb), self);
  g_signal_connect_swapped (source, "drag-end", G_CALLBACK (drag_end_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (source));

  target = gtk_drop_target_new (FERRY_TYPE_VM_DRAG, GDK_ACTION_MOVE);
  g_signal_connect_swapped (target, "accept", G_CALLBACK (drop_accept_cb), self);
  g_signal_connect_swapped (target, "enter", G_CALLBACK (drop_motion_cb), self);
  g_signal_connect_swapped (target, "motion", G_CALLBACK (drop_motion_cb), self);
  g_signal_connect_swapped (target, "drop", G_CALLBACK (drop_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (target));

  click = gtk_gesture_click_new ();
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_SECONDARY);
  g_signal_connect_swapped (click, "pressed", G_CALLBACK (context_pressed_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

GtkWidget *
ferry_inventory_row_new (FerryInventoryDrag *drag)
{
  FerryInventoryRow *self;

  g_return_val_if_fail (FERRY_IS_INVENTORY_DRAG (drag), NULL);

  self = g_object_new (FERRY_TYPE_INVENTORY_ROW, NULL);
  self->drag = g_object_ref (drag);
  g_signal_connect_swapped (drag, "changed", G_CALLBACK (drag_changed_cb), self);
  return GTK_WIDGET (self);
}
