/* ferry-jobs-panel.c: every migration, newest first
 *
 * The engine's jobs model lists the newest job last; people look for the
 * migration they just started at the top, so the panel shows the model
 * reversed through a small GListModel adapter.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#define G_LOG_DOMAIN "ferry-jobs"

#include "config.h"

#include <glib/gi18n.h>

#include "ferry-engine.h"
#include "ferry-job-row.h"
#include "ferry-jobs-panel.h"
#include "ferry-ui-util.h"

/*
 * A reversed view of a GListModel
 */

#define FERRY_TYPE_REVERSE_MODEL (ferry_reverse_model_get_type ())
G_DECLARE_FINAL_TYPE (FerryReverseModel, ferry_reverse_model, FERRY, REVERSE_MODEL, GObject)

struct _FerryReverseModel
{
  GObject     parent_instance;
  GListModel *model;
  guint       n_items;
};

static GType
ferry_reverse_model_get_item_type (GListModel *list)
{
  FerryReverseModel *self = FERRY_REVERSE_MODEL (list);

  return g_list_model_get_item_type (self->model);
}

static guint
ferry_reverse_model_get_n_items (GListModel *list)
{
  return FERRY_REVERSE_MODEL (list)->n_items;
}

static gpointer
ferry_reverse_model_get_item (GListModel *list,
                              guint       position)
{
  FerryReverseModel *self = FERRY_REVERSE_MODEL (list);

  if (position >= self->n_items)
    return NULL;
  return g_list_model_get_item (self->model, self->n_items - 1 - position);
}

static void
ferry_reverse_model_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = ferry_reverse_model_get_item_type;
  iface->get_n_items = ferry_reverse_model_get_n_items;
  iface->get_item = ferry_reverse_model_get_item;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (FerryReverseModel, ferry_reverse_model, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, ferry_reverse_model_list_model_init))

static void
reverse_items_changed_cb (FerryReverseModel *self,
                          guint              position,
                          guint              removed,
                          guint              added,
                          GListModel        *model)
{
  /* [position, position+removed) of the old model is
   * [n_old - position - removed, n_old - position) reversed; the added items
   * land at the same reversed start. */
  guint start = self->n_items - position - removed;

  self->n_items = g_list_model_get_n_items (model);
  g_list_model_items_changed (G_LIST_MODEL (self), start, removed, added);
}

static void
ferry_reverse_model_dispose (GObject *object)
{
  FerryReverseModel *self = FERRY_REVERSE_MODEL (object);

  if (self->model != NULL)
    g_signal_handlers_disconnect_by_func (self->model, reverse_items_changed_cb, self);
  g_clear_object (&self->model);

  G_OBJECT_CLASS (ferry_reverse_model_parent_class)->dispose (object);
}

static void
ferry_reverse_model_class_init (FerryReverseModelClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = ferry_reverse_model_dispose;
}

static void
ferry_reverse_model_init (FerryReverseModel *self)
{
}

static GListModel *
ferry_reverse_model_new (GListModel *model)
{
  FerryReverseModel *self = g_object_new (FERRY_TYPE_REVERSE_MODEL, NULL);

  self->model = g_object_ref (model);
  self->n_items = g_list_model_get_n_items (model);
  g_signal_connect_swapped (model, "items-changed", G_CALLBACK (reverse_items_changed_cb), self);
  return G_LIST_MODEL (self);
}

/*
 * The panel
 */

struct _FerryJobsPanel
{
  GtkWidget     parent_instance;

  GtkStack     *stack;
  GtkListView  *list_view;
  GtkWidget    *summary_box;
  GtkLabel     *summary_title;
  GtkLabel     *summary_counts;
  GtkLabel     *summary_problems;

  GListModel   *jobs;
  FerryManager *manager;
};

G_DEFINE_FINAL_TYPE (FerryJobsPanel, ferry_jobs_panel, GTK_TYPE_WIDGET)

static void
update_page (FerryJobsPanel *self)
{
  guint n = self->jobs ? g_list_model_get_n_items (self->jobs) : 0;

  gtk_stack_set_visible_child_name (self->stack, n > 0 ? "list" : "empty");
}

static void
jobs_items_changed_cb (FerryJobsPanel *self,
                       guint           position,
                       guint           removed,
                       guint           added,
                       GListModel     *model)
{
  update_page (self);
}

static void
row_remove_cb (FerryJobsPanel *self,
               FerryJob       *job,
               FerryJobRow    *row)
{
  if (self->manager != NULL)
    ferry_manager_remove_job (self->manager, job);
}

static void
setup_cb (FerryJobsPanel           *self,
          GtkListItem              *list_item,
          GtkSignalListItemFactory *factory)
{
  GtkWidget *row = ferry_job_row_new ();

  g_signal_connect_object (row, "remove", G_CALLBACK (row_remove_cb), self, G_CONNECT_SWAPPED);
  gtk_list_item_set_child (list_item, row);
  gtk_list_item_set_activatable (list_item, FALSE);
}

static void
bind_cb (FerryJobsPanel           *self,
         GtkListItem              *list_item,
         GtkSignalListItemFactory *factory)
{
  ferry_job_row_set_job (FERRY_JOB_ROW (gtk_list_item_get_child (list_item)),
                         gtk_list_item_get_item (list_item));
}

static void
unbind_cb (FerryJobsPanel           *self,
           GtkListItem              *list_item,
           GtkSignalListItemFactory *factory)
{
  ferry_job_row_set_job (FERRY_JOB_ROW (gtk_list_item_get_child (list_item)), NULL);
}

void
ferry_jobs_panel_set_model (FerryJobsPanel *self,
                            GListModel     *jobs)
{
  g_autoptr(GListModel) reversed = NULL;
  GtkNoSelection *selection;

  g_return_if_fail (FERRY_IS_JOBS_PANEL (self));
  g_return_if_fail (G_IS_LIST_MODEL (jobs));
  g_return_if_fail (self->jobs == NULL);

  self->jobs = g_object_ref (jobs);
  g_signal_connect_object (jobs, "items-changed", G_CALLBACK (jobs_items_changed_cb),
                           self, G_CONNECT_SWAPPED);

  reversed = ferry_reverse_model_new (jobs);
  selection = gtk_no_selection_new (g_steal_pointer (&reversed));
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
  g_object_unref (selection);
  update_page (self);
}

/*
 * The summary of a batch: the last drop or evacuation that ended
 */

static void
show_summary (FerryJobsPanel *self,
              FerryBatch     *batch)
{
  g_autofree char *title = NULL;
  g_autofree char *counts = NULL;
  g_autofree char *problems = NULL;
  g_autofree char *a11y = NULL;
  g_auto(GStrv) lines = NULL;

  /* Translators: the heading of the summary of several migrations, "Evacuation of lyon-1 ended" */
  title = g_strdup_printf (_("%s ended"), ferry_batch_get_title (batch));
  counts = ferry_batch_dup_summary (batch);
  lines = ferry_batch_dup_problems (batch);
  problems = g_strjoinv ("\n", lines);

  gtk_label_set_text (self->summary_title, title);
  gtk_label_set_text (self->summary_counts, counts);
  gtk_label_set_text (self->summary_problems, problems);
  gtk_widget_set_visible (GTK_WIDGET (self->summary_problems), problems[0] != '\0');

  a11y = problems[0] != '\0' ? g_strdup_printf ("%s: %s. %s", title, counts, problems)
                             : g_strdup_printf ("%s: %s", title, counts);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->summary_box), GTK_ACCESSIBLE_PROPERTY_LABEL, a11y, -1);
  gtk_widget_set_visible (self->summary_box, TRUE);
}

static void
batch_ended_cb (FerryJobsPanel *self,
                FerryBatch     *batch,
                FerryManager   *manager)
{
  show_summary (self, batch);
}

static void
summary_close_cb (FerryJobsPanel *self,
                  GtkButton      *button)
{
  gtk_widget_set_visible (self->summary_box, FALSE);
}

void
ferry_jobs_panel_set_manager (FerryJobsPanel *self,
                              FerryManager   *manager)
{
  g_return_if_fail (FERRY_IS_JOBS_PANEL (self));
  g_return_if_fail (FERRY_IS_MANAGER (manager));
  g_return_if_fail (self->manager == NULL);

  self->manager = g_object_ref (manager);
  g_signal_connect_object (manager, "batch-ended", G_CALLBACK (batch_ended_cb), self, G_CONNECT_SWAPPED);
}

void
ferry_jobs_panel_focus (FerryJobsPanel *self)
{
  GtkWidget *first;

  g_return_if_fail (FERRY_IS_JOBS_PANEL (self));

  /* The newest job is the first row; a list view focuses its rows. */
  first = gtk_widget_get_first_child (GTK_WIDGET (self->list_view));
  if (first != NULL && gtk_widget_get_focusable (first))
    gtk_widget_grab_focus (first);
  else
    gtk_widget_grab_focus (GTK_WIDGET (self->list_view));
}

static void
ferry_jobs_panel_dispose (GObject *object)
{
  FerryJobsPanel *self = FERRY_JOBS_PANEL (object);

  ferry_widget_dispose_template (GTK_WIDGET (self), FERRY_TYPE_JOBS_PANEL);
  g_clear_object (&self->jobs);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (ferry_jobs_panel_parent_class)->dispose (object);
}

static void
ferry_jobs_panel_class_init (FerryJobsPanelClass *klass)
{
  GObjectClass   *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ferry_jobs_panel_dispose;

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class, "/io/github/xenferry/Ferry/ferry-jobs-panel.ui");
  gtk_widget_class_bind_template_child (widget_class, FerryJobsPanel, stack);
  gtk_widget_class_bind_template_child (widget_class, FerryJobsPanel, list_view);
  gtk_widget_class_bind_template_child (widget_class, FerryJobsPanel, summary_box);
  gtk_widget_class_bind_template_child (widget_class, FerryJobsPanel, summary_title);
  gtk_widget_class_bind_template_child (widget_class, FerryJobsPanel, summary_counts);
  gtk_widget_class_bind_template_child (widget_class, FerryJobsPanel, summary_problems);
  gtk_widget_class_bind_template_callback (widget_class, summary_close_cb);
}

static void
ferry_jobs_panel_init (FerryJobsPanel *self)
{
  g_autoptr(GtkListItemFactory) factory = gtk_signal_list_item_factory_new ();

  gtk_widget_init_template (GTK_WIDGET (self));

  g_signal_connect_object (factory, "setup", G_CALLBACK (setup_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (factory, "bind", G_CALLBACK (bind_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (factory, "unbind", G_CALLBACK (unbind_cb), self, G_CONNECT_SWAPPED);
  gtk_list_view_set_factory (self->list_view, factory);
  update_page (self);
}

GtkWidget *
ferry_jobs_panel_new (void)
{
  return g_object_new (FERRY_TYPE_JOBS_PANEL, NULL);
}
