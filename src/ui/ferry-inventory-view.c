/* ferry-inventory-view.c: the tree of pools ▸ hosts ▸ VMs
 *
 * One GtkListView over a GtkTreeListModel whose roots are the manager's
 * pools.  A pool's children are its hosts followed by the VMs that run
 * nowhere (halted or suspended); a host's children are the VMs resident on
 * it, sorted by name.  Every level is the engine's live model behind a
 * GtkFilterListModel, so the search box only refilters and a 10,000-VM pool
 * costs one row widget per visible line.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-inventory"

#include "config.h"

#include <glib/gi18n.h>

#include <adwaita.h>

#include "ferry-bench.h"
#include "ferry-inventory-drag.h"
#include "ferry-inventory-group.h"
#include "ferry-inventory-menu.h"
#include "ferry-inventory-row.h"
#include "ferry-inventory-view.h"
#include "ferry-reveal-model.h"
#include "ferry-ui-util.h"

struct _FerryInventoryView
{
  GtkWidget           parent_instance;

  GtkStack           *stack;
  GtkWidget          *scroller;
  GtkListView        *list_view;
  AdwStatusPage      *no_matches;

  FerryManager       *manager;
  GtkTreeListModel   *tree;
  FerryRevealModel   *reveal; /* the tree, new rows at its end a few per frame */
  GtkMultiSelection  *selection;

  GtkFilter          *host_filter;    /* hosts under a pool */
  GtkFilter          *vm_filter;      /* VMs under a host */
  GtkFilter          *offhost_filter; /* VMs under a pool: resident nowhere */
  GtkSorter          *vm_sorter;
  char               *search;      /* casefolded, NULL when empty */
  char               *search_text; /* as typed */
  /* While a search runs: each name seen → its casefolded form, so that a
   * keystroke folds only the names it has not met yet. */
  GHashTable         *folded_names;
  guint               refilter_id;
  guint               loading_pools; /* watched pools in FERRY_POOL_STATE_LOADING */

  GHashTable         *watched_pools; /* FerryPool → itself */
  FerryInventoryDrag *drag;          /* shared with the rows */
  GtkWidget          *menu;
};

enum
{
  SIGNAL_MIGRATE,
  SIGNAL_MESSAGE,
  SIGNAL_SELECTION_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (FerryInventoryView, ferry_inventory_view, GTK_TYPE_WIDGET)

/*
 * Filtering
 */

/* Keyed by the name's text, not by its object: a renamed VM simply finds
 * its new name missing, and nothing has to watch names change. */
static const char *
folded_name (FerryInventoryView *self,
             const char         *name)
{
  char *folded = g_hash_table_lookup (self->folded_names, name);

  if (folded == NULL)
    {
      folded = g_utf8_casefold (name, -1);
      g_hash_table_insert (self->folded_names, g_strdup (name), folded);
    }
  return folded;
}

static gboolean
matches (FerryInventoryView *self,
         const char         *name)
{
  if (self->search == NULL)
    return TRUE;
  if (name == NULL)
    return FALSE;
  return strstr (folded_name (self, name), self->search) != NULL;
}

static gboolean
host_matches (FerryInventoryView *self,
              FerryHost          *host)
{
  GListModel *vms;
  guint       n;

  if (self->search == NULL || matches (self, ferry_host_get_name (host)))
    return TRUE;

  vms = ferry_host_get_vms (host);
  n = g_list_model_get_n_items (vms);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(FerryVm) vm = g_list_model_get_item (vms, i);

      if (matches (self, ferry_vm_get_name (vm)))
        return TRUE;
    }
  return FALSE;
}

static gboolean
host_filter_func (gpointer item,
                  gpointer user_data)
{
  return host_matches (user_data, item);
}

static gboolean
vm_filter_func (gpointer item,
                gpointer user_data)
{
  FerryInventoryView *self = user_data;
  FerryHost          *host = ferry_vm_get_resident_on (item);

  return matches (self, ferry_vm_get_name (item)) ||
         (host != NULL && matches (self, ferry_host_get_name (host)));
}

static gboolean
offhost_filter_func (gpointer item,
                     gpointer user_data)
{
  FerryInventoryView *self = user_data;
  FerryPool          *pool;

  if (ferry_vm_get_resident_on (item) != NULL)
    return FALSE;
  pool = ferry_vm_get_pool (item);
  return matches (self, ferry_vm_get_name (item)) ||
         (pool != NULL && matches (self, ferry_pool_get_name (pool)));
}

static gboolean
refilter_idle (gpointer user_data)
{
  FerryInventoryView *self = user_data;

  self->refilter_id = 0;
  gtk_filter_changed (self->offhost_filter, GTK_FILTER_CHANGE_DIFFERENT);
  return G_SOURCE_REMOVE;
}

static void
queue_refilter (FerryInventoryView *self)
{
  if (self->refilter_id == 0)
    self->refilter_id = g_idle_add (refilter_idle, self);
}

/* A VM that starts or stops moves between a host's list and the pool's
 * "runs nowhere" list, which is a filter that watches no property: the
 * hosts' lists say when to look again, once per batch of changes, so that
 * a pool costs a handler per host rather than one per VM.  While a pool
 * loads, a VM already runs where it will when it joins the pool's list;
 * what a reload moved is looked at once, when the pool is ready. */
static void
host_vms_changed_cb (FerryInventoryView *self,
                     guint               position,
                     guint               removed,
                     guint               added,
                     GListModel         *vms)
{
  if (self->loading_pools == 0)
    queue_refilter (self);
}

static void
pool_hosts_changed_cb (FerryInventoryView *self,
                       guint               position,
                       guint               removed,
                       guint               added,
                       GListModel         *hosts)
{
  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(FerryHost) host = g_list_model_get_item (hosts, i);
      GListModel *vms = ferry_host_get_vms (host);

      /* A host that changes its name is removed and inserted again. */
      if (g_signal_handler_find (vms, G_SIGNAL_MATCH_FUNC | G_SIGNAL_MATCH_DATA, 0, 0, NULL,
                                 host_vms_changed_cb, self) != 0)
        continue;
      g_signal_connect_object (vms, "items-changed", G_CALLBACK (host_vms_changed_cb),
                               self, G_CONNECT_SWAPPED);
    }
}

static void
count_loading_pools (FerryInventoryView *self)
{
  GHashTableIter iter;
  gpointer       pool;

  self->loading_pools = 0;
  g_hash_table_iter_init (&iter, self->watched_pools);
  while (g_hash_table_iter_next (&iter, &pool, NULL))
    if (ferry_pool_get_state (pool) == FERRY_POOL_STATE_LOADING)
      self->loading_pools++;
}

static void
pool_state_changed_cb (FerryInventoryView *self,
                       GParamSpec         *pspec,
                       FerryPool          *pool)
{
  count_loading_pools (self);
  if (ferry_pool_get_state (pool) == FERRY_POOL_STATE_READY)
    queue_refilter (self);
}

static void
watch_pool (FerryInventoryView *self,
            FerryPool          *pool)
{
  GListModel *hosts;

  if (g_hash_table_contains (self->watched_pools, pool))
    return;
  g_hash_table_add (self->watched_pools, g_object_ref (pool));

  g_signal_connect_object (pool, "notify::state", G_CALLBACK (pool_state_changed_cb),
                           self, G_CONNECT_SWAPPED);
  hosts = ferry_pool_get_hosts (pool);
  g_signal_connect_object (hosts, "items-changed", G_CALLBACK (pool_hosts_changed_cb),
                           self, G_CONNECT_SWAPPED);
  pool_hosts_changed_cb (self, 0, 0, g_list_model_get_n_items (hosts), hosts);
  count_loading_pools (self);
}

static void
pools_changed_cb (FerryInventoryView *self,
                  guint               position,
                  guint               removed,
                  guint               added,
                  GListModel         *pools)
{
  /* A disconnected pool leaves the model: stop watching it, so that it can
   * go away. */
  if (removed > 0)
    {
      GHashTableIter iter;
      gpointer       pool;
      guint          n = g_list_model_get_n_items (pools);

      g_hash_table_iter_init (&iter, self->watched_pools);
      while (g_hash_table_iter_next (&iter, &pool, NULL))
        {
          gboolean present = FALSE;

          for (guint i = 0; i < n && !present; i++)
            {
              g_autoptr(FerryPool) candidate = g_list_model_get_item (pools, i);

              present = candidate == pool;
            }
          if (!present)
            {
              GListModel *hosts = ferry_pool_get_hosts (pool);
              guint       n_hosts = g_list_model_get_n_items (hosts);

              for (guint i = 0; i < n_hosts; i++)
                {
                  g_autoptr(FerryHost) host = g_list_model_get_item (hosts, i);

                  g_signal_handlers_disconnect_by_func (ferry_host_get_vms (host), host_vms_changed_cb, self);
                }
              g_signal_handlers_disconnect_by_func (hosts, pool_hosts_changed_cb, self);
              g_signal_handlers_disconnect_by_func (pool, pool_state_changed_cb, self);
              g_hash_table_iter_remove (&iter);
            }
        }
      count_loading_pools (self);
    }

  for (guint i = position; i < position + added; i++)
    {
      g_autoptr(FerryPool) pool = g_list_model_get_item (pools, i);

      watch_pool (self, pool);
    }
}

static gboolean
group_shown_func (gpointer item,
                  gpointer user_data)
{
  return ferry_inventory_group_get_n_vms (item) > 0;
}

static void
group_n_vms_changed_cb (GtkFilter           *filter,
                        GParamSpec          *pspec,
                        FerryInventoryGroup *group)
{
  gtk_filter_changed (filter, GTK_FILTER_CHANGE_DIFFERENT);
}

static GListModel *
create_child_model (gpointer item,
                    gpointer user_data)
{
  FerryInventoryView *self = user_data;

  if (FERRY_IS_POOL (item))
    {
      GListStore *parts = g_list_store_new (G_TYPE_LIST_MODEL);
      g_autoptr(GtkFilterListModel) hosts = NULL;
      g_autoptr(GtkFilterListModel) offhost = NULL;
      g_autoptr(GtkSortListModel) sorted = NULL;
      g_autoptr(FerryInventoryGroup) group = NULL;
      g_autoptr(GListStore) group_store = NULL;
      g_autoptr(GtkFilterListModel) group_slot = NULL;
      GtkFilter *shown;

      hosts = gtk_filter_list_model_new (g_object_ref (ferry_pool_get_hosts (item)),
                                         g_object_ref (self->host_filter));
      offhost = gtk_filter_list_model_new (g_object_ref (ferry_pool_get_vms (item)),
                                           g_object_ref (self->offhost_filter));
      sorted = gtk_sort_list_model_new (G_LIST_MODEL (g_steal_pointer (&offhost)),
                                        g_object_ref (self->vm_sorter));

      /* The VMs that run nowhere go under a heading of their own, shown
       * only while it has some (after the search, too).  The filter owns
       * nothing of the group; the group tells it when to look again. */
      group = ferry_inventory_group_new (item, G_LIST_MODEL (sorted));
      group_store = g_list_store_new (FERRY_TYPE_INVENTORY_GROUP);
      g_list_store_append (group_store, group);
      shown = GTK_FILTER (gtk_custom_filter_new (group_shown_func, NULL, NULL));
      g_signal_connect_object (group, "notify::n-vms", G_CALLBACK (group_n_vms_changed_cb),
                               shown, G_CONNECT_SWAPPED);
      group_slot = gtk_filter_list_model_new (G_LIST_MODEL (g_steal_pointer (&group_store)), shown);

      g_list_store_append (parts, hosts);
      g_list_store_append (parts, group_slot);
      return G_LIST_MODEL (gtk_flatten_list_model_new (G_LIST_MODEL (parts)));
    }

  if (FERRY_IS_INVENTORY_GROUP (item))
    return g_object_ref (ferry_inventory_group_get_vms (item));

  if (FERRY_IS_HOST (item))
    {
      GtkFilterListModel *vms;

      vms = gtk_filter_list_model_new (g_object_ref (ferry_host_get_vms (item)),
                                       g_object_ref (self->vm_filter));
      return G_LIST_MODEL (gtk_sort_list_model_new (G_LIST_MODEL (vms), g_object_ref (self->vm_sorter)));
    }

  return NULL;
}

/* While searching, a tree of bare pool rows says nothing; say it plainly. */
static void
update_no_matches (FerryInventoryView *self)
{
  guint    n_rows = self->tree ? g_list_model_get_n_items (G_LIST_MODEL (self->tree)) : 0;
  guint    n_pools = self->manager ? g_list_model_get_n_items (ferry_manager_get_pools (self->manager)) : 0;
  gboolean none = self->search != NULL && n_rows <= n_pools;

  if (none)
    {
      g_autofree char *text = g_strdup_printf (_("No host or VM name contains “%s”."), self->search_text);

      adw_status_page_set_description (self->no_matches, text);
    }
  gtk_stack_set_visible_child_name (self->stack, none ? "no-matches" : "list");
}

static void
tree_items_changed_cb (FerryInventoryView *self,
                       guint               position,
                       guint               removed,
                       guint               added,
                       GListModel         *model)
{
  update_no_matches (self);
}

/*
 * Rows
 */

static gboolean row_vms_dropped_cb (FerryInventoryRow  *row,
                                    FerryVmDrag        *payload,
                                    FerryInventoryView *self);
static void     popup_menu (FerryInventoryView *self,
                            FerryInventoryRow  *row,
                            double              x,
                            double              y);

static void
row_context_menu_cb (FerryInventoryRow  *row,
                     double              x,
                     double              y,
                     FerryInventoryView *self)
{
  popup_menu (self, row, x, y);
}

static void
setup_row_cb (FerryInventoryView       *self,
              GtkListItem              *list_item,
              GtkSignalListItemFactory *factory)
{
  GtkWidget *row = ferry_inventory_row_new (self->drag);

  g_signal_connect_object (row, "context-menu", G_CALLBACK (row_context_menu_cb), self, 0);
  g_signal_connect_object (row, "vms-dropped", G_CALLBACK (row_vms_dropped_cb), self, 0);
  gtk_list_item_set_child (list_item, row);
}

static void
bind_row_cb (FerryInventoryView       *self,
             GtkListItem              *list_item,
             GtkSignalListItemFactory *factory)
{
  ferry_inventory_row_bind (FERRY_INVENTORY_ROW (gtk_list_item_get_child (list_item)), list_item);
}

static void
unbind_row_cb (FerryInventoryView       *self,
               GtkListItem              *list_item,
               GtkSignalListItemFactory *factory)
{
  ferry_inventory_row_unbind (FERRY_INVENTORY_ROW (gtk_list_item_get_child (list_item)));
}

/*
 * Selection
 */

GPtrArray *
ferry_inventory_view_get_selected_vms (FerryInventoryView *self)
{
  g_return_val_if_fail (FERRY_IS_INVENTORY_VIEW (self), NULL);

  if (self->drag == NULL)
    return g_ptr_array_new_with_free_func (g_object_unref);
  return ferry_inventory_drag_get_selected_vms (self->drag);
}

static void
selection_changed_cb (FerryInventoryView *self,
                      guint               position,
                      guint               n_items,
                      GtkSelectionModel  *model)
{
  g_signal_emit (self, signals[SIGNAL_SELECTION_CHANGED], 0);
}

static void
selection_items_changed_cb (FerryInventoryView *self,
                            guint               position,
                            guint               removed,
                            guint               added,
                            GListModel         *model)
{
  if (removed > 0)
    g_signal_emit (self, signals[SIGNAL_SELECTION_CHANGED], 0);
}

/*
 * Drops and the context menu
 */

static gboolean
row_vms_dropped_cb (FerryInventoryRow  *row,
                    FerryVmDrag        *payload,
                    FerryInventoryView *self)
{
  GObject *target_item = ferry_inventory_row_get_item (row);
  g_autoptr(GPtrArray) vms = NULL;
  FerryHost *target;

  if (self->manager == NULL || payload == NULL)
    return FALSE;

  target = ferry_inventory_drag_target_host (target_item);
  if (target == NULL)
    {
      g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, _("This pool has no master host to take VMs"));
      return FALSE;
    }

  vms = ferry_vm_drag_resolve (payload, self->manager);
  if (vms->len == 0)
    {
      g_signal_emit (self, signals[SIGNAL_MESSAGE], 0, _("The dragged VMs are no longer there"));
      return FALSE;
    }

  g_signal_emit (self, signals[SIGNAL_MIGRATE], 0, vms, target);
  return TRUE;
}

static gboolean
unparent_idle (gpointer user_data)
{
  GtkWidget *popover = user_data;

  if (gtk_widget_get_parent (popover) != NULL)
    gtk_widget_unparent (popover);
  return G_SOURCE_REMOVE;
}

static void
menu_closed_cb (FerryInventoryView *self,
                GtkPopover         *popover)
{
  /* Unparent later: the popover is still inside its own "closed" emission,
   * and a menu item's action may still be on its way. */
  if (self->menu == GTK_WIDGET (popover))
    self->menu = NULL;
  g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, unparent_idle, popover, g_object_unref);
}

static void
popup_menu (FerryInventoryView *self,
            FerryInventoryRow  *row,
            double              x,
            double              y)
{
  g_autoptr(GMenuModel) model = NULL;
  GObject   *item = ferry_inventory_row_get_item (row);
  guint      position = ferry_inventory_row_get_position (row);
  GtkWidget *popover;

  if (self->manager == NULL)
    return;

  if (FERRY_IS_VM (item))
    {
      g_autoptr(GPtrArray) vms = NULL;

      /* The menu acts on the selection, so the row it opened on must be in it. */
      if (position != GTK_INVALID_LIST_POSITION &&
          !gtk_selection_model_is_selected (GTK_SELECTION_MODEL (self->selection), position))
        gtk_selection_model_select_item (GTK_SELECTION_MODEL (self->selection), position, TRUE);

      vms = ferry_inventory_drag_vms_for_row (self->drag, position, item);
      if (vms->len == 0)
        return;
      model = ferry_inventory_menu_new_for_vms (self->manager, vms);
    }
  else if (FERRY_IS_POOL (item))
    model = ferry_inventory_menu_new_for_pool (self->manager, FERRY_POOL (item));
  else if (FERRY_IS_HOST (item))
    model = ferry_inventory_menu_new_for_host (FERRY_HOST (item));

  if (model == NULL)
    return;

  if (self->menu != NULL)
    gtk_popover_popdown (GTK_POPOVER (self->menu));

  popover = gtk_popover_menu_new_from_model (model);
  gtk_widget_set_parent (popover, GTK_WIDGET (row));
  gtk_popover_set_has_arrow (GTK_POPOVER (popover), FALSE);
  gtk_widget_set_halign (popover, GTK_ALIGN_START);
  gtk_popover_set_pointing_to (GTK_POPOVER (popover), &(GdkRectangle) { (int) x, (int) y, 1, 1 });
  g_signal_connect_object (popover, "closed", G_CALLBACK (menu_closed_cb), self, G_CONNECT_SWAPPED);
  g_object_ref (popover);
  self->menu = popover;
  gtk_popover_popup (GTK_POPOVER (popover));
}

static FerryInventoryRow *
focused_row (FerryInventoryView *self)
{
  GtkRoot   *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWidget *focus = root ? gtk_root_get_focus (root) : NULL;
  GtkWidget *child;

  if (focus == NULL || !gtk_widget_is_ancestor (focus, GTK_WIDGET (self)))
    return NULL;
  if (FERRY_IS_INVENTORY_ROW (focus))
    return FERRY_INVENTORY_ROW (focus);
  /* GtkListView focuses its row container, whose child is our row. */
  child = gtk_widget_get_first_child (focus);
  if (FERRY_IS_INVENTORY_ROW (child))
    return FERRY_INVENTORY_ROW (child);
  return (FerryInventoryRow *) gtk_widget_get_ancestor (focus, FERRY_TYPE_INVENTORY_ROW);
}

static gboolean
menu_key_cb (GtkWidget *widget,
             GVariant  *args,
             gpointer   user_data)
{
  FerryInventoryView *self = FERRY_INVENTORY_VIEW (widget);
  FerryInventoryRow  *row = focused_row (self);

  if (row == NULL)
    return FALSE;

  popup_menu (self, row, 24, gtk_widget_get_height (GTK_WIDGET (row)) / 2.0);
  return TRUE;
}

/*
 * Public API
 */

void
ferry_inventory_view_set_manager (FerryInventoryView *self,
                                  FerryManager       *manager)
{
  GListModel *pools;

  g_return_if_fail (FERRY_IS_INVENTORY_VIEW (self));
  g_return_if_fail (FERRY_IS_MANAGER (manager));
  g_return_if_fail (self->manager == NULL);

  self->manager = g_object_ref (manager);
  pools = ferry_manager_get_pools (manager);
  g_signal_connect_object (pools, "items-changed", G_CALLBACK (pools_changed_cb),
                           self, G_CONNECT_SWAPPED);
  pools_changed_cb (self, 0, 0, g_list_model_get_n_items (pools), pools);

  /* Everything starts expanded: the point of the window is to see where
   * each VM runs and drag it; rows are recycled, so this stays cheap. */
  self->tree = gtk_tree_list_model_new (g_object_ref (pools), FALSE, TRUE,
                                        create_child_model, self, NULL);
  g_signal_connect_object (self->tree, "items-changed", G_CALLBACK (tree_items_changed_cb),
                           self, G_CONNECT_SWAPPED);
  /* A load adds rows at the end of the tree a slice at a time, and a late
   * frame would make widgets for the rows of several slices at once: the
   * list view gets them a few per frame (ferry-reveal-model.c). */
  self->reveal = ferry_reveal_model_new (G_LIST_MODEL (self->tree));
  ferry_reveal_model_set_widget (self->reveal, GTK_WIDGET (self->list_view));
  self->selection = gtk_multi_selection_new (g_object_ref (G_LIST_MODEL (self->reveal)));
  g_signal_connect_object (self->selection, "selection-changed", G_CALLBACK (selection_changed_cb),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->selection, "items-changed", G_CALLBACK (selection_items_changed_cb),
                           self, G_CONNECT_SWAPPED);
  /* The rows and the view meet here about drags and selections. */
  self->drag = ferry_inventory_drag_new (manager, GTK_SELECTION_MODEL (self->selection));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  /* Timing marks for bench/run-gui-load only; see ferry-bench.c.  The
   * rows it counts are the list view's: a load ends when every row can be
   * reached. */
  if (g_getenv ("FERRY_BENCH") != NULL)
    ferry_bench_watch (GTK_WIDGET (self), pools, G_LIST_MODEL (self->reveal));
}

void
ferry_inventory_view_set_search (FerryInventoryView *self,
                                 const char         *text)
{
  g_autofree char *folded = NULL;

  g_return_if_fail (FERRY_IS_INVENTORY_VIEW (self));

  if (text != NULL && text[0] != '\0')
    folded = g_utf8_casefold (text, -1);
  if (g_strcmp0 (folded, self->search) == 0)
    return;

  g_free (self->search);
  self->search = g_steal_pointer (&folded);
  /* The folded names are kept while a search runs, dropped with it. */
  if (self->search == NULL)
    g_hash_table_remove_all (self->folded_names);
  g_free (self->search_text);
  self->search_text = g_strdup (text);
  gtk_filter_changed (self->host_filter, GTK_FILTER_CHANGE_DIFFERENT);
  gtk_filter_changed (self->vm_filter, GTK_FILTER_CHANGE_DIFFERENT);
  gtk_filter_changed (self->offhost_filter, GTK_FILTER_CHANGE_DIFFERENT);
  update_no_matches (self);
}

/*
 * GObject
 */

static gboolean
ferry_inventory_view_grab_focus (GtkWidget *widget)
{
  FerryInventoryView *self = FERRY_INVENTORY_VIEW (widget);

  return gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

static void
ferry_inventory_view_dispose (GObject *object)
{
  FerryInventoryView *self = FERRY_INVENTORY_VIEW (object);

  g_clear_handle_id (&self->refilter_id, g_source_remove);

  if (self->menu != NULL)
    gtk_popover_popdown (GTK_POPOVER (self->menu));

  ferry_widget_dispose_template (GTK_WIDGET (self), FERRY_TYPE_INVENTORY_VIEW);
  g_clear_object (&self->selection);
  g_clear_object (&self->reveal);
  g_clear_object (&self->tree);
  g_clear_object (&self->drag);
  g_clear_pointer (&self->watched_pools, g_hash_table_unref);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (ferry_inventory_view_parent_class)->dispose (object);
}

static void
ferry_inventory_view_finalize (GObject *object)
{
  FerryInventoryView *self = FERRY_INVENTORY_VIEW (object);

  g_clear_object (&self->host_filter);
  g_clear_object (&self->vm_filter);
  g_clear_object (&self->offhost_filter);
  g_clear_object (&self->vm_sorter);
  g_clear_pointer (&self->search, g_free);
  g_clear_pointer (&self->search_text, g_free);
  g_clear_pointer (&self->folded_names, g_hash_table_unref);

  G_OBJECT_CLASS (ferry_inventory_view_parent_class)->finalize (object);
}

static void
ferry_inventory_view_class_init (FerryInventoryViewClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ferry_inventory_view_dispose;
  object_class->finalize = ferry_inventory_view_finalize;
  widget_class->grab_focus = ferry_inventory_view_grab_focus;

  signals[SIGNAL_MIGRATE] =
    g_signal_new ("migrate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 2, G_TYPE_PTR_ARRAY, FERRY_TYPE_HOST);
  signals[SIGNAL_MESSAGE] =
    g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);
  signals[SIGNAL_SELECTION_CHANGED] =
    g_signal_new ("selection-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 0);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/xenferry/Ferry/ferry-inventory-view.ui");
  gtk_widget_class_bind_template_child (widget_class, FerryInventoryView, stack);
  gtk_widget_class_bind_template_child (widget_class, FerryInventoryView, scroller);
  gtk_widget_class_bind_template_child (widget_class, FerryInventoryView, no_matches);
  gtk_widget_class_bind_template_child (widget_class, FerryInventoryView, list_view);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_Menu, 0, menu_key_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_F10, GDK_SHIFT_MASK, menu_key_cb, NULL);
}

static void
ferry_inventory_view_init (FerryInventoryView *self)
{
  g_autoptr(GtkListItemFactory) factory = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->watched_pools = g_hash_table_new_full (NULL, NULL, g_object_unref, NULL);
  self->folded_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->host_filter = GTK_FILTER (gtk_custom_filter_new (host_filter_func, self, NULL));
  self->vm_filter = GTK_FILTER (gtk_custom_filter_new (vm_filter_func, self, NULL));
  self->offhost_filter = GTK_FILTER (gtk_custom_filter_new (offhost_filter_func, self, NULL));
  self->vm_sorter = GTK_SORTER (gtk_string_sorter_new (gtk_property_expression_new (FERRY_TYPE_VM, NULL, "name")));

  factory = gtk_signal_list_item_factory_new ();
  g_signal_connect_object (factory, "setup", G_CALLBACK (setup_row_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (factory, "bind", G_CALLBACK (bind_row_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (unbind_row_cb), self, G_CONNECT_SWAPPED);
  gtk_list_view_set_factory (self->list_view, factory);
}

GtkWidget *
ferry_inventory_view_new (void)
{
  return g_object_new (FERRY_TYPE_INVENTORY_VIEW, NULL);
}
