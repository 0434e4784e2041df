/* ferry-server-store.c: saved servers in GSettings, passwords in the keyring
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "ferry-server-store.h"
#include "ferry-server-private.h"

struct _FerryServerStore
{
  GObject    parent_instance;

  GSettings *settings;
  GPtrArray *servers; /* FerryServer, in the order of the key */
};

static void list_model_iface_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (FerryServerStore, ferry_server_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL, list_model_iface_init))

/* The keyring item: one password per (url, username).  The schema name is
 * what other tools (seahorse, secret-tool) show and search by. */
static const SecretSchema *
password_schema (void)
{
  static const SecretSchema schema = {
    "io.github.xenferry.Ferry.Password",
    SECRET_SCHEMA_NONE,
    {
      { "url", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { "username", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

/* ---- GListModel ----------------------------------------------------------- */

static GType
ferry_server_store_get_item_type (GListModel *model)
{
  return FERRY_TYPE_SERVER;
}

static guint
ferry_server_store_get_n_items (GListModel *model)
{
  return FERRY_SERVER_STORE (model)->servers->len;
}

static gpointer
ferry_server_store_get_item (GListModel *model,
                             guint       position)
{
  FerryServerStore *self = FERRY_SERVER_STORE (model);

  if (position >= self->servers->len)
    return NULL;

  return g_object_ref (g_ptr_array_index (self->servers, position));
}

static void
list_model_iface_init (GListModelInterface *iface)
{
  iface->get_item_type = ferry_server_store_get_item_type;
  iface->get_n_items = ferry_server_store_get_n_items;
  iface->get_item = ferry_server_store_get_item;
}

/* ---- following the key ---------------------------------------------------- */

static void
reload (FerryServerStore *self)
{
  g_autoptr(GVariant) value = g_settings_get_value (self->settings, "servers");
  g_autoptr(GPtrArray) fresh = g_ptr_array_new_with_free_func (g_object_unref);
  gboolean     same_urls;
  GVariantIter iter;
  const char  *url, *username, *fingerprint, *label;
  guint        old_len;

  g_variant_iter_init (&iter, value);
  while (g_variant_iter_next (&iter, "(&s&s&s&s)", &url, &username, &fingerprint, &label))
    {
      g_autofree char *canonical = ferry_server_canonical_url (url);

      if (canonical == NULL)
        continue;
      g_ptr_array_add (fresh, ferry_server_new (canonical, username, fingerprint, label));
    }

  same_urls = fresh->len == self->servers->len;
  for (guint i = 0; same_urls && i < fresh->len; i++)
    same_urls = g_str_equal (ferry_server_get_url (g_ptr_array_index (fresh, i)),
                             ferry_server_get_url (g_ptr_array_index (self->servers, i)));

  if (same_urls)
    {
      /* Same list, maybe new details: update in place so that rows bound
       * to these objects follow. */
      for (guint i = 0; i < fresh->len; i++)
        {
          FerryServer *n = g_ptr_array_index (fresh, i);

          ferry_server_update (g_ptr_array_index (self->servers, i),
                               ferry_server_get_username (n),
                               ferry_server_get_fingerprint (n),
                               ferry_server_get_label (n));
        }
      return;
    }

  old_len = self->servers->len;
  g_ptr_array_unref (self->servers);
  self->servers = g_steal_pointer (&fresh);
  g_list_model_items_changed (G_LIST_MODEL (self), 0, old_len, self->servers->len);
}

static void
on_servers_changed (GSettings        *settings,
                    const char       *key,
                    FerryServerStore *self)
{
  reload (self);
}

static void
write_servers (FerryServerStore *self,
               GPtrArray        *servers)
{
  GVariantBuilder builder;

  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(ssss)"));
  for (guint i = 0; i < servers->len; i++)
    {
      FerryServer *s = g_ptr_array_index (servers, i);
      const char  *fp = ferry_server_get_fingerprint (s);
      const char  *label = ferry_server_get_label (s);

      g_variant_builder_add (&builder, "(ssss)",
                             ferry_server_get_url (s),
                             ferry_server_get_username (s) != NULL ? ferry_server_get_username (s) : "",
                             fp != NULL ? fp : "",
                             label != NULL ? label : "");
    }

  g_settings_set_value (self->settings, "servers", g_variant_builder_end (&builder));
  /* The memory backend and some others signal asynchronously or not at
   * all for our own writes; reading back keeps the model exact at once. */
  reload (self);
}

/* A copy of the list (new references) to edit before writing. */
static GPtrArray *
copy_servers (FerryServerStore *self)
{
  GPtrArray *copy = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < self->servers->len; i++)
    {
      FerryServer *s = g_ptr_array_index (self->servers, i);

      g_ptr_array_add (copy, ferry_server_new (ferry_server_get_url (s),
                                               ferry_server_get_username (s),
                                               ferry_server_get_fingerprint (s),
                                               ferry_server_get_label (s)));
    }

  return copy;
}

static int
find_index (GPtrArray  *servers,
            const char *canonical)
{
  for (guint i = 0; i < servers->len; i++)
    if (g_str_equal (ferry_server_get_url (g_ptr_array_index (servers, i)), canonical))
      return (int) i;

  return -1;
}

/* ---- GObject -------------------------------------------------------------- */

static void
ferry_server_store_dispose (GObject *object)
{
  FerryServerStore *self = FERRY_SERVER_STORE (object);

  if (self->settings != NULL)
    g_signal_handlers_disconnect_by_data (self->settings, self);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (ferry_server_store_parent_class)->dispose (object);
}

static void
ferry_server_store_finalize (GObject *object)
{
  FerryServerStore *self = FERRY_SERVER_STORE (object);

  g_clear_pointer (&self->servers, g_ptr_array_unref);

  G_OBJECT_CLASS (ferry_server_store_parent_class)->finalize (object);
}

static void
ferry_server_store_class_init (FerryServerStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = ferry_server_store_dispose;
  object_class->finalize = ferry_server_store_finalize;
}

static void
ferry_server_store_init (FerryServerStore *self)
{
  self->servers = g_ptr_array_new_with_free_func (g_object_unref);
}

FerryServerStore *
ferry_server_store_new (GSettings *settings)
{
  FerryServerStore *self = g_object_new (FERRY_TYPE_SERVER_STORE, NULL);

  self->settings = settings != NULL ? g_object_ref (settings) : g_settings_new (APP_ID);
  g_signal_connect (self->settings, "changed::servers", G_CALLBACK (on_servers_changed), self);
  reload (self);

  return self;
}

GSettings *
ferry_server_store_get_settings (FerryServerStore *self)
{
  g_return_val_if_fail (FERRY_IS_SERVER_STORE (self), NULL);
  return self->settings;
}

FerryServer *
ferry_server_store_lookup (FerryServerStore *self,
                           const char       *url)
{
  g_autofree char *canonical = NULL;
  int              index;

  g_return_val_if_fail (FERRY_IS_SERVER_STORE (self), NULL);

  canonical = ferry_server_canonical_url (url);
  if (canonical == NULL)
    return NULL;

  index = find_index (self->servers, canonical);
  return index >= 0 ? g_ptr_array_index (self->servers, index) : NULL;
}

void
ferry_server_store_save (FerryServerStore *self,
                         const char       *url,
                         const char       *username,
                         const char       *fingerprint,
                         const char       *label)
{
  g_autoptr(GPtrArray) servers = NULL;
  g_autofree char *canonical = NULL;
  int              index;

  g_return_if_fail (FERRY_IS_SERVER_STORE (self));

  canonical = ferry_server_canonical_url (url);
  g_return_if_fail (canonical != NULL);

  servers = copy_servers (self);
  index = find_index (servers, canonical);
  if (index >= 0)
    {
      FerryServer *old = g_ptr_array_index (servers, index);

      ferry_server_update (old,
                           username != NULL ? username : ferry_server_get_username (old),
                           fingerprint != NULL ? fingerprint : ferry_server_get_fingerprint (old),
                           label != NULL ? label : ferry_server_get_label (old));
    }
  else
    {
      g_ptr_array_add (servers, ferry_server_new (canonical, username, fingerprint, label));
    }

  write_servers (self, servers);
}

static void
update_one (FerryServerStore *self,
            const char       *url,
            const char       *fingerprint,
            gboolean          set_fingerprint,
            const char       *label)
{
  g_autoptr(GPtrArray) servers = NULL;
  g_autofree char *canonical = ferry_server_canonical_url (url);
  FerryServer     *s;
  int              index;

  if (canonical == NULL)
    return;

  servers = copy_servers (self);
  index = find_index (servers, canonical);
  if (index < 0)
    return;

  s = g_ptr_array_index (servers, index);
  ferry_server_update (s, ferry_server_get_username (s),
                       set_fingerprint ? fingerprint : ferry_server_get_fingerprint (s),
                       set_fingerprint ? ferry_server_get_label (s) : label);
  write_servers (self, servers);
}

void
ferry_server_store_set_fingerprint (FerryServerStore *self,
                                    const char       *url,
                                    const char       *fingerprint)
{
  g_return_if_fail (FERRY_IS_SERVER_STORE (self));
  update_one (self, url, fingerprint, TRUE, NULL);
}

void
ferry_server_store_set_label (FerryServerStore *self,
                              const char       *url,
                              const char       *label)
{
  g_return_if_fail (FERRY_IS_SERVER_STORE (self));
  update_one (self, url, NULL, FALSE, label);
}

static void
on_removed_password_cleared (GObject      *source,
                             GAsyncResult *result,
                             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  /* FALSE without an error: there was no password to clear. */
  if (!secret_password_clear_finish (result, &error) && error != NULL)
    g_debug ("Could not clear a saved password: %s", error->message);
}

void
ferry_server_store_remove (FerryServerStore *self,
                           const char       *url)
{
  g_autoptr(GPtrArray) servers = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *username = NULL;
  int              index;

  g_return_if_fail (FERRY_IS_SERVER_STORE (self));

  canonical = ferry_server_canonical_url (url);
  if (canonical == NULL)
    return;

  servers = copy_servers (self);
  index = find_index (servers, canonical);
  if (index < 0)
    return;

  username = g_strdup (ferry_server_get_username (g_ptr_array_index (servers, index)));
  g_ptr_array_remove_index (servers, index);
  write_servers (self, servers);

  /* Every password saved for this URL goes, whatever the user name. */
  secret_password_clear (password_schema (), NULL, on_removed_password_cleared, NULL,
                         "url", canonical, NULL);
}

/* ---- keyring -------------------------------------------------------------- */

static void
on_password_stored (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (secret_password_store_finish (result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
ferry_server_store_store_password_async (FerryServerStore   *self,
                                         const char         *url,
                                         const char         *username,
                                         const char         *password,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *canonical = NULL;
  g_autofree char *label = NULL;

  g_return_if_fail (FERRY_IS_SERVER_STORE (self));
  g_return_if_fail (password != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ferry_server_store_store_password_async);

  canonical = ferry_server_canonical_url (url);
  if (canonical == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                               _("“%s” is not a server address."), url);
      return;
    }

  /* Translators: the name of a password in the keyring */
  label = g_strdup_printf (_("Ferry: %s at %s"), username, canonical);
  secret_password_store (password_schema (), SECRET_COLLECTION_DEFAULT, label, password,
                         cancellable, on_password_stored, g_steal_pointer (&task),
                         "url", canonical, "username", username != NULL ? username : "",
                         NULL);
}

gboolean
ferry_server_store_store_password_finish (FerryServerStore *self,
                                          GAsyncResult     *result,
                                          GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_password_looked_up (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char   *secret = secret_password_lookup_finish (result, &error);

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* libsecret's copy lives in non-pageable memory and must be freed with
   * its own function; callers get an ordinary string. */
  g_task_return_pointer (task, g_strdup (secret), g_free);
  secret_password_free (secret);
}

void
ferry_server_store_lookup_password_async (FerryServerStore   *self,
                                          const char         *url,
                                          const char         *username,
                                          GCancellable       *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *canonical = NULL;

  g_return_if_fail (FERRY_IS_SERVER_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ferry_server_store_lookup_password_async);

  canonical = ferry_server_canonical_url (url);
  if (canonical == NULL)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }

  secret_password_lookup (password_schema (), cancellable, on_password_looked_up,
                          g_steal_pointer (&task),
                          "url", canonical, "username", username != NULL ? username : "",
                          NULL);
}

char *
ferry_server_store_lookup_password_finish (FerryServerStore *self,
                                           GAsyncResult     *result,
                                           GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_password_cleared (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  secret_password_clear_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
ferry_server_store_clear_password_async (FerryServerStore   *self,
                                         const char         *url,
                                         const char         *username,
                                         GCancellable       *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *canonical = NULL;

  g_return_if_fail (FERRY_IS_SERVER_STORE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, ferry_server_store_clear_password_async);

  canonical = ferry_server_canonical_url (url);
  if (canonical == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  secret_password_clear (password_schema (), cancellable, on_password_cleared,
                         g_steal_pointer (&task),
                         "url", canonical, "username", username != NULL ? username : "",
                         NULL);
}

gboolean
ferry_server_store_clear_password_finish (FerryServerStore *self,
                                          GAsyncResult     *result,
                                          GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
