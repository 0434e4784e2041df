/* xapi-record-private.h: building records, for the decoders (not installed API)
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "xapi-record.h"

G_BEGIN_DECLS

/* Building a record field by field (xapi-record.c), for the decoders: a
 * new record of @klass with every field at its default; then each value
 * read for a field, which replaces what the field held.  Strings are
 * @len bytes, not NUL-terminated; a string, number or boolean read for a
 * field of another type is converted as xapi_record_new_from_json()
 * describes.  xapi_record_take_strv() takes @strings (GRefString*, interned, or
 * plain char* that it does not own for XAPI_FIELD_ENUM_SET; a map's are
 * key, value, …).  The new record is (transfer full). */
gpointer    xapi_record_alloc (XapiClass   klass,
                               const char *ref);
void        xapi_record_set_string (gpointer         record,
                                    const XapiField *field,
                                    const char      *s,
                                    gsize            len);
void        xapi_record_set_number (gpointer         record,
                                    const XapiField *field,
                                    gboolean         is_int,
                                    gint64           i,
                                    double           d);
void        xapi_record_set_bool (gpointer         record,
                                  const XapiField *field,
                                  gboolean         value);
void        xapi_record_set_null (gpointer         record,
                                  const XapiField *field);
void        xapi_record_take_strv (gpointer         record,
                                   const XapiField *field,
                                   GPtrArray       *strings);
/* TRUE for the fields that a JSON array fills. */
gboolean    xapi_field_is_set (const XapiField *field);

/* A string of @len bytes (not NUL-terminated), interned. (transfer full) */
GRefString *xapi_record_intern (const char *s,
                                gsize       len);

G_END_DECLS
