/* fuzz-json-tree.h: JSON trees as the record field filter should leave them
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The targets that check xapi_json_decode_filtered() (fuzz-json-decode,
 * fuzz-rpc-response) build what it must return from the full tree.
 */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* A copy that shares no container with @node (json_node_copy() shares
 * them), so that members can be removed from it. */
static inline JsonNode *
deep_copy (JsonNode *node)
{
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *src = json_node_get_array (node);
      JsonArray *dst = json_array_sized_new (json_array_get_length (src));
      JsonNode  *copy = json_node_new (JSON_NODE_ARRAY);

      for (guint i = 0; i < json_array_get_length (src); i++)
        json_array_add_element (dst, deep_copy (json_array_get_element (src, i)));
      json_node_take_array (copy, dst);
      return copy;
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject    *dst = json_object_new ();
      JsonNode      *copy = json_node_new (JSON_NODE_OBJECT);
      JsonObjectIter iter;
      const char    *name;
      JsonNode      *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, &name, &member))
        json_object_set_member (dst, name, deep_copy (member));
      json_node_take_object (copy, dst);
      return copy;
    }
  return json_node_copy (node);
}

/* What xapi_json_decode_filtered() promises to return: the members of the
 * objects at @record_depth (the root is at depth 1) whose names are not in
 * @keep removed from the full tree. */
static inline void
remove_unkept (JsonNode   *node,
               guint       depth,
               guint       record_depth,
               GHashTable *keep)
{
  if (depth > record_depth)
    return;
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        remove_unkept (json_array_get_element (array, i), depth + 1, record_depth, keep);
    }
  else if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObject *object = json_node_get_object (node);
      g_autoptr(GList) names = json_object_get_members (object);

      for (GList *l = names; l != NULL; l = l->next)
        {
          if (depth == record_depth && !g_hash_table_contains (keep, l->data))
            json_object_remove_member (object, l->data);
          else
            remove_unkept (json_object_get_member (object, l->data), depth + 1, record_depth, keep);
        }
    }
}

G_END_DECLS
