/* xapi-record.h: compact typed records of the classes Ferry follows
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A record of a followed class is a small C struct, decoded once from the
 * wire (event.from snapshots, X.get_record replies) and never changed
 * afterwards: an update is a new record.  Only the fields below are kept;
 * everything else a record carries is stepped over while decoding, so what
 * the engine does not read costs neither time nor memory.  Whoever needs a
 * new field adds it to its struct and to the class's field table in
 * xapi-record.c (the xapi-fields test checks the tables against the XenAPI
 * datamodel).
 *
 * Strings are GRefStrings (usable as plain `const char *`): references and
 * short repeated values (device names, SR types, map keys and values) are
 * interned, so that the hundred thousand copies of a host's reference in a
 * large pool are one string.  A null reference ("OpaqueRef:NULL" or "") is
 * NULL; a missing string is NULL too (xapi_str() reads it as "").  Sets are
 * NULL-terminated arrays of strings (NULL when empty); maps are
 * NULL-terminated arrays of key, value, key, value, … (NULL when empty).
 *
 * Records are reference counted (atomically: they are built in a worker
 * thread) and immutable, so they can be shared by the cache, the changes it
 * emits and whoever keeps one for a while. */

#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  XAPI_CLASS_POOL,
  XAPI_CLASS_HOST,
  XAPI_CLASS_HOST_METRICS,
  XAPI_CLASS_VM,
  XAPI_CLASS_VBD,
  XAPI_CLASS_VDI,
  XAPI_CLASS_SR,
  XAPI_CLASS_PBD,
  XAPI_CLASS_NETWORK,
  XAPI_CLASS_PIF,
  XAPI_CLASS_VIF,
  XAPI_CLASS_TASK,
  XAPI_N_CLASSES,
  XAPI_CLASS_NONE = -1,
} XapiClass;

/* A set or a list of strings: NULL-terminated, NULL when empty. */
typedef GRefString **XapiStrv;
/* A (string -> string) map: key, value, key, value, …, NULL; NULL when
 * empty. */
typedef GRefString **XapiMap;

/* What every record starts with. */
typedef struct
{
  gatomicrefcount ref_count;
  XapiClass       klass;
  GRefString     *ref; /* interned */
  GRefString     *uuid;
  GRefString     *name_label; /* classes that have one */
} XapiRecord;

typedef struct
{
  XapiRecord  record;
  GRefString *master;           /* host ref */
  GRefString *default_SR;       /* SR ref */
  GRefString *suspend_image_SR; /* SR ref */
  XapiMap     other_config;
} XapiPool;

typedef struct
{
  XapiRecord  record;
  GRefString *address;
  GRefString *hostname;
  gboolean    enabled;
  GRefString *metrics;          /* host_metrics ref */
  GRefString *suspend_image_sr; /* SR ref */
  XapiStrv    PIFs;
} XapiHost;

typedef struct
{
  XapiRecord record;
  gboolean   live;
  gint64     memory_total;
  gint64     memory_free;
} XapiHostMetrics;

typedef enum
{
  XAPI_VM_POWER_STATE_UNKNOWN,
  XAPI_VM_POWER_STATE_HALTED,
  XAPI_VM_POWER_STATE_PAUSED,
  XAPI_VM_POWER_STATE_RUNNING,
  XAPI_VM_POWER_STATE_SUSPENDED,
} XapiVmPowerState;

typedef struct
{
  XapiRecord       record;
  XapiVmPowerState power_state;
  gboolean         is_a_template;
  gboolean         is_a_snapshot;
  gboolean         is_control_domain;
  GRefString      *resident_on;                 /* host ref */
  GRefString      *scheduled_to_be_resident_on; /* host ref */
  GRefString      *affinity;                    /* host ref: its home host */
  GRefString      *suspend_VDI;                 /* VDI ref: a suspended VM's memory image */
  gint64           memory_static_max;
  gint64           memory_dynamic_max;
  gint64           VCPUs_max;
  gint64           VCPUs_at_startup;
  XapiStrv         VBDs;
  XapiStrv         VIFs;
  XapiStrv         snapshots;
  XapiMap          current_operations; /* task ref -> operation */
} XapiVm;

typedef enum
{
  XAPI_VBD_TYPE_UNKNOWN,
  XAPI_VBD_TYPE_CD,
  XAPI_VBD_TYPE_DISK,
  XAPI_VBD_TYPE_FLOPPY,
} XapiVbdType;

typedef struct
{
  XapiRecord  record;
  GRefString *VM;
  GRefString *VDI;
  XapiVbdType type;
  gboolean    empty;
  GRefString *userdevice;
} XapiVbd;

typedef struct
{
  XapiRecord  record;
  GRefString *SR;
  gint64      virtual_size;
  gint64      physical_utilisation;
  XapiStrv    VBDs;
} XapiVdi;

typedef struct
{
  XapiRecord  record;
  GRefString *type;
  GRefString *content_type;
  gboolean    shared;
  gint64      physical_size;
  gint64      physical_utilisation;
  XapiStrv    PBDs;
} XapiSr;

typedef struct
{
  XapiRecord  record;
  GRefString *host;
  GRefString *SR;
  gboolean    currently_attached;
} XapiPbd;

typedef struct
{
  XapiRecord  record;
  GRefString *bridge;
} XapiNetwork;

typedef struct
{
  XapiRecord  record;
  GRefString *network;
  GRefString *host;
  gboolean    management;
} XapiPif;

typedef struct
{
  XapiRecord  record;
  GRefString *VM;
  GRefString *network;
  GRefString *device;
  GRefString *MAC;
} XapiVif;

typedef enum
{
  XAPI_TASK_STATUS_UNKNOWN,
  XAPI_TASK_STATUS_PENDING,
  XAPI_TASK_STATUS_SUCCESS,
  XAPI_TASK_STATUS_FAILURE,
  XAPI_TASK_STATUS_CANCELLING,
  XAPI_TASK_STATUS_CANCELLED,
} XapiTaskStatus;

/* Bits of XapiTask.allowed_operations. */
typedef enum
{
  XAPI_TASK_OP_CANCEL = 1 << 0,
  XAPI_TASK_OP_DESTROY = 1 << 1,
} XapiTaskOps;

typedef struct
{
  XapiRecord     record;
  XapiTaskStatus status;
  double         progress;
  GRefString    *result;
  XapiStrv       error_info;
  XapiMap        other_config;
  guint32        allowed_operations; /* XapiTaskOps */
} XapiTask;

/* ---- Classes -------------------------------------------------------------- */

/* The class of a lower-case event class name ("vm") or of a datamodel name
 * ("VM"), case-insensitively; XAPI_CLASS_NONE if Ferry has no record for
 * it. */
XapiClass   xapi_class_from_name (const char *name);
/* "vm", "host", … (lower case, as in events). (transfer none) */
const char *xapi_class_get_name (XapiClass klass);
/* "VM", "host", … (as in the datamodel and in method names). (transfer none) */
const char *xapi_class_get_wire_name (XapiClass klass);

/* ---- Records -------------------------------------------------------------- */

#define XAPI_RECORD(r) ((XapiRecord *) (r))

/* Returns @record with one more reference (transfer full). */
gpointer xapi_record_ref (gpointer record);
void     xapi_record_unref (gpointer record);

/* A record of @klass (reference @ref, which may be NULL) from a JSON object
 * as XAPI sends it (an X.get_record reply, an event's snapshot), leniently:
 * a number written as a string reads as that number, the string "true" (in
 * any case) as TRUE, a fractional number in an integer field as its integer
 * part (saturated); members of a set and values of a map that are not
 * strings are left out; anything else of the wrong type, or missing, reads
 * as the field's default.  NULL if @node is not an object or @klass is
 * XAPI_CLASS_NONE.  (transfer full) */
gpointer xapi_record_new_from_json (XapiClass   klass,
                                    const char *ref,
                                    JsonNode   *node);

/* TRUE if both records hold the same class, reference and field values. */
gboolean xapi_record_equal (gconstpointer a,
                            gconstpointer b);

/* ---- Values ---------------------------------------------------------------- */

/* @s, or "" when NULL. */
static inline const char *
xapi_str (const char *s)
{
  return s != NULL ? s : "";
}

/* The number of strings in a set (0 for NULL). */
guint       xapi_strv_length (const XapiStrv set);
/* A copy as a plain string vector (never NULL; g_strfreev()). (transfer full) */
char      **xapi_strv_dup (const XapiStrv set);

/* The value of @key, or NULL. (transfer none) */
const char *xapi_map_lookup (const XapiMap map,
                             const char   *key);
/* The number of keys of the map. */
guint       xapi_map_size (const XapiMap map);
/* A copy as a GHashTable of char* -> char* (never NULL). (transfer full) */
GHashTable *xapi_map_to_hash_table (const XapiMap map);

/* "Running", "Halted", … or "" for XAPI_VM_POWER_STATE_UNKNOWN. (transfer none) */
const char *xapi_vm_power_state_to_string (XapiVmPowerState state);

/* ---- The field tables ------------------------------------------------------- */

typedef enum
{
  XAPI_FIELD_STRING,     /* GRefString*, its own copy (uuids, names, results) */
  XAPI_FIELD_ISTRING,    /* GRefString*, interned (short, repeated values) */
  XAPI_FIELD_REF,        /* GRefString*, interned; NULL for a null reference */
  XAPI_FIELD_REF_SET,    /* XapiStrv of interned references */
  XAPI_FIELD_STRING_SET, /* XapiStrv of interned strings */
  XAPI_FIELD_MAP,        /* XapiMap of interned strings */
  XAPI_FIELD_BOOL,       /* gboolean */
  XAPI_FIELD_INT,        /* gint64 */
  XAPI_FIELD_FLOAT,      /* double */
  XAPI_FIELD_ENUM,       /* int: 1 + the index of the value in @values, 0 unknown */
  XAPI_FIELD_ENUM_SET,   /* guint32: bit i set for @values[i] */
} XapiFieldType;

typedef struct
{
  const char         *name; /* as on the wire */
  XapiFieldType       type;
  guint               offset; /* in the record struct */
  const char * const *values; /* XAPI_FIELD_ENUM, XAPI_FIELD_ENUM_SET */
} XapiField;

/* The fields kept for @klass (uuid and, where the class has one, name_label
 * first); @n_fields is set to their number. (transfer none) */
const XapiField *xapi_class_get_fields (XapiClass klass,
                                        guint    *n_fields);
/* The field of @klass named @name (@len bytes, not NUL-terminated), or
 * NULL.  Thread-safe. (transfer none) */
const XapiField *xapi_class_find_field (XapiClass   klass,
                                        const char *name,
                                        gsize       len);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (XapiRecord, xapi_record_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (XapiVm, xapi_record_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (XapiTask, xapi_record_unref)

G_END_DECLS
