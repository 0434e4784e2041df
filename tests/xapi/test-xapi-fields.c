/* test-xapi-fields.c: the typed records match the XenAPI data model
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * What the engine reads of a record is a member of a C struct (see
 * src/xapi/xapi-record.h): reading a field that is not decoded does not
 * compile.  What can still go wrong is the table that decodes each struct
 * (src/xapi/xapi-record.c): a misspelt wire name or a type that is not the
 * field's would make the field silently read as its default.  This test
 * checks every class's table against the data model (the simulator's
 * table, generated from the XenAPI description: src/sim/fsim-fields.c),
 * and that nothing in the engine, ferryctl or the GUI reads a record
 * through a string-keyed getter any more.
 */

#include <string.h>

#include "sim/fsim-fields.h"
#include "xapi-record.h"

static const FsimClassDef *
model_class (const char *wire)
{
  for (guint i = 0; i < fsim_n_classes; i++)
    if (strcmp (fsim_classes[i].name, wire) == 0)
      return &fsim_classes[i];
  return NULL;
}

static const FsimFieldDef *
model_field (const FsimClassDef *klass,
             const char         *name)
{
  for (guint i = 0; i < klass->n_fields; i++)
    if (strcmp (klass->fields[i].name, name) == 0)
      return &klass->fields[i];
  return NULL;
}

static FsimFieldKind
kind_of (XapiFieldType type)
{
  switch (type)
    {
    case XAPI_FIELD_STRING:
    case XAPI_FIELD_ISTRING:
      return FSIM_FIELD_STRING;
    case XAPI_FIELD_REF:
      return FSIM_FIELD_REF;
    case XAPI_FIELD_REF_SET:
    case XAPI_FIELD_STRING_SET:
    case XAPI_FIELD_ENUM_SET:
      return FSIM_FIELD_SET;
    case XAPI_FIELD_MAP:
      return FSIM_FIELD_MAP;
    case XAPI_FIELD_BOOL:
      return FSIM_FIELD_BOOL;
    case XAPI_FIELD_INT:
      return FSIM_FIELD_INT;
    case XAPI_FIELD_FLOAT:
      return FSIM_FIELD_FLOAT;
    case XAPI_FIELD_ENUM:
      return FSIM_FIELD_ENUM;
    default:
      g_assert_not_reached ();
    }
}

static void
test_tables_match_model (void)
{
  guint checked = 0;

  for (int k = 0; k < XAPI_N_CLASSES; k++)
    {
      const char         *wire = xapi_class_get_wire_name ((XapiClass) k);
      const FsimClassDef *model = model_class (wire);
      const XapiField    *fields;
      guint               n;

      g_assert_cmpint (xapi_class_from_name (xapi_class_get_name ((XapiClass) k)), ==, k);
      g_assert_cmpint (xapi_class_from_name (wire), ==, k);
      if (model == NULL)
        g_error ("class %s is not in the data model", wire);

      fields = xapi_class_get_fields ((XapiClass) k, &n);
      g_assert_cmpuint (n, >, 0);
      g_assert_cmpstr (fields[0].name, ==, "uuid");
      for (guint i = 0; i < n; i++)
        {
          const FsimFieldDef *def = model_field (model, fields[i].name);

          if (def == NULL)
            g_error ("%s.%s is not a field of the data model", wire, fields[i].name);
          if (def->kind != kind_of (fields[i].type))
            g_error ("%s.%s is decoded as another type than the data model's", wire, fields[i].name);
          /* Enums: the value the simulator starts with is one we know. */
          if (fields[i].type == XAPI_FIELD_ENUM)
            {
              g_autofree char *first = g_strndup (def->default_json + 1, strlen (def->default_json) - 2);

              g_assert_nonnull (fields[i].values);
              g_assert_true (g_strv_contains (fields[i].values, first));
            }
          g_assert_true (xapi_class_find_field ((XapiClass) k, fields[i].name,
                                                strlen (fields[i].name)) == &fields[i]);
          for (guint j = 0; j < i; j++)
            g_assert_cmpstr (fields[j].name, !=, fields[i].name);
          checked++;
        }
      g_assert_null (xapi_class_find_field ((XapiClass) k, "no_such_field", strlen ("no_such_field")));
    }

  g_test_message ("%u fields checked", checked);
}

/* The record layer speaks only through the structs: no string-keyed
 * reading of a record in the engine, ferryctl or the GUI. */
static void
test_no_string_keyed_reads (void)
{
  const char *source_dir = g_getenv ("FERRY_SOURCE_DIR");
  const char *dirs[] = { "src/engine", "src/cli", "src/ui" };
  g_autoptr(GRegex) call = NULL;
  g_autoptr(GString) found = g_string_new (NULL);
  guint files = 0;

  if (source_dir == NULL)
    {
      g_test_skip ("FERRY_SOURCE_DIR is not set");
      return;
    }

  /* getter (first argument, with balanced parentheses, "name" */
  call = g_regex_new ("\\bxapi_record_get_[a-z0-9_]+\\s*\\("
                      "\\s*(?:[^(),;]|(?<p>\\((?:[^()]|(?&p))*\\)))*,\\s*\"(?<name>[A-Za-z][A-Za-z0-9_]*)\"",
                      G_REGEX_OPTIMIZE, 0, NULL);
  g_assert_nonnull (call);

  for (guint d = 0; d < G_N_ELEMENTS (dirs); d++)
    {
      g_autofree char *path = g_build_filename (source_dir, dirs[d], NULL);
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *entry;

      if (dir == NULL)
        continue;
      while ((entry = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *file = NULL;
          g_autofree char *text = NULL;
          g_autoptr(GMatchInfo) match = NULL;

          if (!g_str_has_suffix (entry, ".c"))
            continue;
          file = g_build_filename (path, entry, NULL);
          g_assert_true (g_file_get_contents (file, &text, NULL, NULL));
          files++;
          g_regex_match (call, text, 0, &match);
          while (g_match_info_matches (match))
            {
              g_autofree char *name = g_match_info_fetch_named (match, "name");

              /* host.migrate_receive's answer is a map passed back to the
               * pool as it came, not a record. */
              if (strcmp (name, "session_id") != 0 && strcmp (name, "host") != 0)
                g_string_append_printf (found, " %s (%s/%s)", name, dirs[d], entry);
              g_match_info_next (match, NULL);
            }
        }
    }

  g_test_message ("%u files", files);
  g_assert_cmpuint (files, >, 5);
  if (found->len > 0)
    g_error ("Records read by name instead of through their typed struct (xapi-record.h):%s",
             found->str);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/xapi/fields/tables", test_tables_match_model);
  g_test_add_func ("/xapi/fields/no-string-keyed-reads", test_no_string_keyed_reads);

  return g_test_run ();
}
