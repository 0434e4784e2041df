/* test-engine-errors.c: XAPI codes and transport errors as plain sentences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <gio/gio.h>

#include "engine-fixture.h"
#include "ferry-engine-private.h"
#include "xapi-error.h"

static char *
sentence_for (const char *code,
              ...)
{
  g_autoptr(GPtrArray) params = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *param;
  va_list     args;

  va_start (args, code);
  while ((param = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (params, (gpointer) param);
  va_end (args);
  g_ptr_array_add (params, NULL);

  error = xapi_error_new_failure (code, (const char * const *) params->pdata);
  return ferry_error_to_sentence (error, NULL);
}

static void
test_table (void)
{
  g_autofree char *requires_sr = sentence_for ("VM_REQUIRES_SR", "OpaqueRef:vm", "OpaqueRef:sr", NULL);
  g_autofree char *memory = sentence_for ("HOST_NOT_ENOUGH_FREE_MEMORY", "4294967296", "2147483648", NULL);
  g_autofree char *power = sentence_for ("VM_BAD_POWER_STATE", "OpaqueRef:vm", "running", "halted", NULL);
  g_autofree char *cpu = sentence_for ("VM_INCOMPATIBLE_WITH_THIS_HOST", "OpaqueRef:vm", "OpaqueRef:h",
                                       "CPU features missing", NULL);
  g_autofree char *auth = sentence_for ("SESSION_AUTHENTICATION_FAILED", "root", "Authentication failure", NULL);
  g_autofree char *busy = sentence_for ("TOO_MANY_STORAGE_MIGRATES", "3", NULL);
  g_autofree char *backend = sentence_for ("SR_BACKEND_FAILURE_47", "", "", "The SR is not available", NULL);
  g_autofree char *backend_bare = sentence_for ("SR_BACKEND_FAILURE_46", NULL);
  g_autofree char *unknown = sentence_for ("SOMETHING_NEW", "a", "b", NULL);
  g_autofree char *other_op = sentence_for ("OTHER_OPERATION_IN_PROGRESS", "VM", "OpaqueRef:vm",
                                            "clean_shutdown", "OpaqueRef:t", NULL);
  g_autofree char *fix = NULL;
  g_autofree char *with_fix = NULL;
  g_autoptr(GError) error = NULL;
  const char * const codes[] = {
    "VM_REQUIRES_SR",
    "HOST_NOT_ENOUGH_FREE_MEMORY",
    "VM_INCOMPATIBLE_WITH_THIS_HOST",
    "VM_BAD_POWER_STATE",
    "HOST_DISABLED",
    "HOST_NOT_LIVE",
    "SESSION_AUTHENTICATION_FAILED",
    "TOO_MANY_STORAGE_MIGRATES",
    "VDI_NOT_IN_MAP",
    "VIF_NOT_IN_MAP",
    "OTHER_OPERATION_IN_PROGRESS",
    "LICENCE_RESTRICTION",
    "CANNOT_CONTACT_HOST",
    "SR_BACKEND_FAILURE_1",
    "MIRROR_FAILED",
    "VM_MIGRATE_FAILED",
    "TASK_CANCELLED",
    "HOST_CANNOT_ATTACH_NETWORK",
    "VM_REQUIRES_NETWORK",
  };

  g_assert_cmpstr (requires_sr, ==, "The target host cannot see the storage this VM’s disks are on.");
  g_assert_cmpstr (memory, ==, "Not enough free memory on the target host (the VM needs 4 GiB, 2 GiB are free).");
  g_assert_cmpstr (power, ==, "The VM is halted, but it must be running for this.");
  g_assert_cmpstr (cpu, ==, "The VM is not compatible with the target host’s CPU (CPU features missing).");
  g_assert_cmpstr (auth, ==, "The user name or password was refused.");
  g_assert_cmpstr (busy, ==, "The source host is already running 3 storage migrations.");
  g_assert_cmpstr (backend, ==, "The storage reported an error: The SR is not available");
  g_assert_cmpstr (backend_bare, ==, "The storage reported an error.");
  g_assert_cmpstr (unknown, ==, "The pool refused the operation: SOMETHING_NEW (a, b).");
  g_assert_cmpstr (other_op, ==, "Another operation (clean_shutdown) is in progress on this VM.");

  /* No reference ever reaches a sentence. */
  g_assert_null (strstr (requires_sr, "OpaqueRef"));
  g_assert_null (strstr (power, "OpaqueRef"));

  /* Every code of the table has a sentence and a fix (except a
   * cancellation, which needs none). */
  for (guint i = 0; i < G_N_ELEMENTS (codes); i++)
    {
      g_autofree char *s = ferry_error_code_to_sentence (codes[i], NULL, &fix);

      g_assert_nonnull (s);
      g_assert_false (g_str_has_prefix (s, "The pool refused"));
      if (!g_str_equal (codes[i], "TASK_CANCELLED"))
        g_assert_nonnull (fix);
      g_clear_pointer (&fix, g_free);
    }

  error = xapi_error_new_failure ("HOST_DISABLED", NULL);
  with_fix = ferry_error_to_message (error);
  g_assert_cmpstr (with_fix, ==, "The target host is disabled (maintenance mode). Enable the host, or pick another one.");
}

static void
test_transport (void)
{
  g_autoptr(GError) unknown = xapi_error_new_certificate (XAPI_ERROR_CERTIFICATE_UNKNOWN, "AB:CD", "unknown");
  g_autoptr(GError) changed = xapi_error_new_certificate (XAPI_ERROR_CERTIFICATE_CHANGED, "EF:01", "changed");
  g_autoptr(GError) refused = g_error_new_literal (XAPI_ERROR, XAPI_ERROR_CONNECTION, "Connection refused");
  g_autoptr(GError) timeout = g_error_new_literal (XAPI_ERROR, XAPI_ERROR_TIMEOUT, "timed out");
  g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
  g_autoptr(GError) engine = g_error_new_literal (FERRY_ERROR, FERRY_ERROR_NO_SR, "No SR.");
  g_autofree char *s1 = NULL, *s2 = NULL, *s3 = NULL, *s4 = NULL, *s5 = NULL, *s6 = NULL;
  g_autofree char *f1 = NULL, *f2 = NULL, *f3 = NULL;

  s1 = ferry_error_to_sentence (unknown, &f1);
  g_assert_nonnull (strstr (s1, "AB:CD"));
  g_assert_nonnull (f1);
  s2 = ferry_error_to_sentence (changed, &f2);
  g_assert_nonnull (strstr (s2, "changed"));
  g_assert_nonnull (f2);
  s3 = ferry_error_to_sentence (refused, &f3);
  g_assert_nonnull (strstr (s3, "Could not reach the host"));
  g_assert_nonnull (f3);
  s4 = ferry_error_to_sentence (timeout, NULL);
  g_assert_cmpstr (s4, ==, "The host did not answer in time.");
  s5 = ferry_error_to_sentence (cancelled, NULL);
  g_assert_cmpstr (s5, ==, "The operation was cancelled.");
  s6 = ferry_error_to_sentence (engine, NULL);
  g_assert_cmpstr (s6, ==, "No SR.");
}

/* The XAPI library's messages are sentences of their own: wrapped in ours,
 * they must not leave a doubled full stop behind. */
static void
test_transport_punctuation (void)
{
  g_autoptr(GError) http = xapi_error_new_http (500, "127.0.1.1 answered with HTTP status 500 (Internal Server Error).");
  g_autoptr(GError) dropped = g_error_new_literal (XAPI_ERROR, XAPI_ERROR_CONNECTION,
                                                   "The connection to 127.0.1.1 failed (Connection reset).");
  g_autofree char *s1 = ferry_error_to_sentence (http, NULL);
  g_autofree char *s2 = ferry_error_to_sentence (dropped, NULL);

  g_assert_cmpstr (s1, ==, "The host gave an unexpected answer (127.0.1.1 answered with HTTP status 500 (Internal Server Error)).");
  g_assert_cmpstr (s2, ==, "Could not reach the host (The connection to 127.0.1.1 failed (Connection reset)).");
}

/* A host that answers, but with something unusable, is told apart from one
 * that cannot be reached, and the detail (host, byte offset) survives. */
static void
test_bad_answers (void)
{
  g_autoptr(GError) malformed = g_error_new_literal (XAPI_ERROR, XAPI_ERROR_MALFORMED,
                                                     "The reply from 127.0.1.1 is not a valid JSON-RPC response: "
                                                     "it is not valid JSON: a string is not terminated (at byte 12).");
  g_autoptr(GError) large = g_error_new_literal (XAPI_ERROR, XAPI_ERROR_TOO_LARGE,
                                                 "The reply from 127.0.1.1 to event.from is larger than 192 MiB.");
  g_autoptr(GError) tls = g_error_new_literal (XAPI_ERROR, XAPI_ERROR_TLS,
                                               "Could not establish a secure connection to 127.0.1.1 (bad record).");
  g_autoptr(GError) refused = g_error_new_literal (XAPI_ERROR, XAPI_ERROR_CONNECTION, "Connection refused");
  g_autofree char *s1 = ferry_error_to_sentence (malformed, NULL);
  g_autofree char *s2 = ferry_error_to_sentence (large, NULL);
  g_autofree char *s3 = ferry_error_to_sentence (tls, NULL);

  g_assert_cmpstr (s1, ==, "The host’s answer could not be understood (The reply from 127.0.1.1 is not a valid "
                           "JSON-RPC response: it is not valid JSON: a string is not terminated (at byte 12)).");
  g_assert_cmpstr (s2, ==, "The host’s answer was refused (The reply from 127.0.1.1 to event.from is larger than 192 MiB).");
  g_assert_cmpstr (s3, ==, "No secure connection to the host could be set up (Could not establish a secure "
                           "connection to 127.0.1.1 (bad record)).");
  g_assert_true (xapi_error_is_bad_answer (malformed));
  g_assert_true (xapi_error_is_bad_answer (large));
  g_assert_true (xapi_error_is_bad_answer (tls));
  g_assert_false (xapi_error_is_bad_answer (refused));
}

/* A protocol error leaves the engine as a FERRY_ERROR that says the same
 * sentence, suggests the same fix, shows the same details and carries what
 * a front end acts on; through g_error_copy() too (GTask copies). */
static void
assert_same_words (const GError *xapi,
                   const GError *ferry)
{
  g_autofree char *fix1 = NULL, *fix2 = NULL, *details1 = NULL, *details2 = NULL;
  g_autofree char *s1 = ferry_error_explain (xapi, NULL, &fix1, &details1);
  g_autofree char *s2 = ferry_error_explain (ferry, NULL, &fix2, &details2);
  g_autofree char *m1 = ferry_error_to_message (xapi);
  g_autofree char *m2 = ferry_error_to_message (ferry);

  g_assert_cmpstr (s2, ==, s1);
  g_assert_cmpstr (fix2, ==, fix1);
  g_assert_cmpstr (details2, ==, details1);
  g_assert_cmpstr (m2, ==, m1);
}

static void
test_translate (void)
{
  static const char * const memory[] = { "4294967296", "1073741824", NULL };
  static const char * const vm_sr[] = { "OpaqueRef:1", "OpaqueRef:2", NULL };
  struct
  {
    GError *xapi;
    int     code;
  } cases[] = {
    { xapi_error_new_certificate (XAPI_ERROR_CERTIFICATE_UNKNOWN, "AB:CD", "unknown"),
      FERRY_ERROR_CERTIFICATE_UNKNOWN },
    { xapi_error_new_certificate (XAPI_ERROR_CERTIFICATE_CHANGED, "EF:01", "changed"),
      FERRY_ERROR_CERTIFICATE_CHANGED },
    { xapi_error_new_redirect_refused ("127.0.2.1", "refused"), FERRY_ERROR_REDIRECT_REFUSED },
    { xapi_error_new_failure ("SESSION_AUTHENTICATION_FAILED", NULL), FERRY_ERROR_AUTHENTICATION_FAILED },
    { xapi_error_new_failure ("HOST_NOT_ENOUGH_FREE_MEMORY", memory), FERRY_ERROR_REFUSED },
    { xapi_error_new_failure ("VM_REQUIRES_SR", vm_sr), FERRY_ERROR_REFUSED },
    { xapi_error_new_failure ("SOMETHING_NEW", NULL), FERRY_ERROR_REFUSED },
    { g_error_new_literal (XAPI_ERROR, XAPI_ERROR_CONNECTION, "Connection refused"), FERRY_ERROR_CONNECTION },
    { g_error_new_literal (XAPI_ERROR, XAPI_ERROR_TIMEOUT, "timed out"), FERRY_ERROR_TIMEOUT },
    { xapi_error_new_http (500, "HTTP status 500."), FERRY_ERROR_HTTP },
    { g_error_new_literal (XAPI_ERROR, XAPI_ERROR_MALFORMED, "not JSON (at byte 12)."), FERRY_ERROR_MALFORMED },
    { g_error_new_literal (XAPI_ERROR, XAPI_ERROR_TOO_LARGE, "over 192 MiB."), FERRY_ERROR_TOO_LARGE },
    { g_error_new_literal (XAPI_ERROR, XAPI_ERROR_TLS, "bad record."), FERRY_ERROR_TLS },
    { g_error_new_literal (XAPI_ERROR, XAPI_ERROR_WRONG_POOL, "another pool."), FERRY_ERROR_WRONG_POOL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) xapi = cases[i].xapi;
      g_autoptr(GError) ferry = ferry_error_from_xapi (xapi);
      g_autoptr(GError) copy = g_error_copy (ferry);
      g_autoptr(GError) in_place = g_error_copy (xapi);
      g_autofree char *sentence = ferry_error_to_sentence (xapi, NULL);

      g_test_message ("%s", xapi->message);
      g_assert_error (ferry, FERRY_ERROR, cases[i].code);
      g_assert_cmpstr (ferry->message, ==, sentence);
      g_assert_cmpstr (ferry_error_get_fingerprint (ferry), ==, xapi_error_get_fingerprint (xapi));
      g_assert_cmpstr (ferry_error_get_address (ferry), ==, xapi_error_get_address (xapi));
      assert_same_words (xapi, ferry);
      assert_same_words (xapi, copy);
      g_assert_cmpstr (ferry_error_get_fingerprint (copy), ==, xapi_error_get_fingerprint (xapi));
      g_assert_cmpstr (ferry_error_get_address (copy), ==, xapi_error_get_address (xapi));

      ferry_error_translate (&in_place);
      g_assert_error (in_place, FERRY_ERROR, cases[i].code);
      assert_same_words (xapi, in_place);
    }

  /* What a front end acts on. */
  {
    g_autoptr(GError) xapi = xapi_error_new_certificate (XAPI_ERROR_CERTIFICATE_UNKNOWN, "AB:CD", NULL);
    g_autoptr(GError) ferry = ferry_error_from_xapi (xapi);
    g_autoptr(GError) redirect = xapi_error_new_redirect_refused ("127.0.2.1", NULL);
    g_autoptr(GError) ferry_redirect = ferry_error_from_xapi (redirect);

    g_assert_cmpstr (ferry_error_get_fingerprint (ferry), ==, "AB:CD");
    g_assert_null (ferry_error_get_address (ferry));
    g_assert_cmpstr (ferry_error_get_address (ferry_redirect), ==, "127.0.2.1");
    g_assert_null (ferry_error_get_fingerprint (ferry_redirect));
  }

  /* Errors of other domains, and the engine's own, go through as they are. */
  {
    g_autoptr(GError) cancelled = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "Operation was cancelled");
    g_autoptr(GError) engine = g_error_new_literal (FERRY_ERROR, FERRY_ERROR_NO_SR, "No SR.");
    g_autoptr(GError) same = g_error_copy (engine);
    g_autoptr(GError) copied = ferry_error_from_xapi (cancelled);
    g_autofree char *fix = NULL, *details = NULL;
    g_autofree char *sentence = NULL;

    g_assert_error (copied, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    ferry_error_translate (&same);
    g_assert_error (same, FERRY_ERROR, FERRY_ERROR_NO_SR);
    sentence = ferry_error_explain (same, NULL, &fix, &details);
    g_assert_cmpstr (sentence, ==, "No SR.");
    g_assert_null (fix);
    g_assert_null (details);
    g_assert_null (ferry_error_get_fingerprint (same));
    ferry_error_translate (NULL);
  }
}

static void
test_job_states (void)
{
  g_assert_cmpstr (ferry_job_state_to_string (FERRY_JOB_STATE_QUEUED), ==, "Queued");
  g_assert_cmpstr (ferry_job_state_to_string (FERRY_JOB_STATE_AWAITING_CONFIRMATION), ==, "Waiting for confirmation");
  g_assert_cmpstr (ferry_job_state_to_string (FERRY_JOB_STATE_RUNNING), ==, "Migrating");
  g_assert_cmpstr (ferry_job_state_to_string (FERRY_JOB_STATE_SUCCEEDED), ==, "Done");
  g_assert_true (G_TYPE_IS_ENUM (FERRY_TYPE_JOB_STATE));
  g_assert_true (G_TYPE_IS_ENUM (FERRY_TYPE_POOL_STATE));
  g_assert_true (G_TYPE_IS_ENUM (FERRY_TYPE_MIGRATION_KIND));
}

static void
test_options (void)
{
  g_autoptr(FerryMigrateOptions) options = ferry_migrate_options_new ();
  g_autoptr(FerryMigrateOptions) copy = NULL;
  gboolean compress = TRUE;

  g_assert_false (ferry_migrate_options_get_compress (options, &compress));
  g_assert_false (compress);
  ferry_migrate_options_set_compress (options, FALSE);
  ferry_migrate_options_set_force (options, TRUE);
  ferry_migrate_options_set_copy (options, TRUE);

  copy = ferry_migrate_options_copy (options);
  g_assert_true (ferry_migrate_options_get_compress (copy, &compress));
  g_assert_false (compress);
  g_assert_true (ferry_migrate_options_get_force (copy));
  g_assert_true (ferry_migrate_options_get_copy (copy));
  g_assert_false (ferry_migrate_options_has_sr_override (copy));
  g_assert_null (ferry_migrate_options_get_sr (copy));
}

/* ---- sentences that name things -------------------------------------------------- */

typedef EngineFixture Fixture;

typedef struct
{
  char *sentence;
  char *fix;
  char *details;
} Explained;

static void
explained_clear (Explained *e)
{
  g_clear_pointer (&e->sentence, g_free);
  g_clear_pointer (&e->fix, g_free);
  g_clear_pointer (&e->details, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Explained, explained_clear)

/* Explains a XAPI failure as a job would, and checks what every named
 * sentence promises: no reference anywhere, a fix, the code in the details. */
static void
explain (Explained               *out,
         const FerryErrorContext *context,
         const char              *code,
         ...)
{
  g_autoptr(GPtrArray) params = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *param;
  va_list     args;

  va_start (args, code);
  while ((param = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (params, (gpointer) param);
  va_end (args);
  g_ptr_array_add (params, NULL);

  error = xapi_error_new_failure (code, (const char * const *) params->pdata);
  out->sentence = ferry_error_explain (error, context, &out->fix, &out->details);
  g_test_message ("%s\n  -> %s\n     %s\n     Details: %s", code, out->sentence, out->fix, out->details);

  g_assert_nonnull (out->sentence);
  g_assert_nonnull (out->fix);
  g_assert_nonnull (out->details);
  g_assert_null (strstr (out->sentence, "OpaqueRef"));
  g_assert_null (strstr (out->fix, "OpaqueRef"));
  g_assert_null (strstr (out->details, "OpaqueRef"));
  g_assert_true (g_str_has_prefix (out->details, code));
  /* Not the plain sentence of the table: that one names nothing. */
  g_assert_null (strstr (out->sentence, "the target host"));
}

static FerryDisk *
disk_named (FerryVm    *vm,
            const char *name)
{
  GPtrArray *disks = ferry_vm_get_disks (vm);

  for (guint i = 0; i < disks->len; i++)
    {
      FerryDisk *disk = g_ptr_array_index (disks, i);

      if (g_strcmp0 (disk->name, name) == 0)
        return disk;
    }
  g_error ("%s has no disk %s", ferry_vm_get_name (vm), name);
}

static FerryVif *
vif_on (FerryVm    *vm,
        const char *network)
{
  GPtrArray *vifs = ferry_vm_get_vifs (vm);

  for (guint i = 0; i < vifs->len; i++)
    {
      FerryVif *vif = g_ptr_array_index (vifs, i);

      if (vif->network != NULL && g_strcmp0 (ferry_network_get_name (vif->network), network) == 0)
        return vif;
    }
  g_error ("%s has no interface on %s", ferry_vm_get_name (vm), network);
}

/* db-01 (on lyon-1, local disks) to paris-2: the parameters as XAPI sends
 * them, references of both pools. */
static void
test_named (Fixture      *f,
            gconstpointer data)
{
  FerryVm          *db = engine_vm (f->lyon, "db-01");
  FerryVm          *web = engine_vm (f->lyon, "web-01");
  FerryHost        *lyon1 = engine_host (f->lyon, "lyon-1");
  FerryHost        *paris2 = engine_host (f->paris, "paris-2");
  FerrySr          *local = engine_sr (f->lyon, "Local storage lyon-1");
  FerrySr          *paris_local = engine_sr (f->paris, "Local storage paris-2");
  FerryNetwork     *dmz = engine_network (f->lyon, "DMZ");
  g_autofree char  *data_vdi = g_strdup (disk_named (db, "db-01 data")->vdi_ref);
  FerryErrorContext context = {
    .vm_name = "db-01",
    .source_host_name = "lyon-1",
    .target_host_name = "paris-2",
    .source_pool_name = ferry_pool_get_name (f->lyon),
    .target_pool_name = ferry_pool_get_name (f->paris),
    .source_pool = f->lyon,
    .target_pool = f->paris,
  };
  FerryErrorContext web_context = context;
  g_auto(Explained) e = { NULL };

  web_context.vm_name = "web-01";

  explain (&e, &context, "VM_MIGRATE_FAILED", ferry_vm_get_ref (db), ferry_host_get_ref (lyon1),
           ferry_host_get_ref (paris2), "Storage mirror failed", NULL);
  g_assert_cmpstr (e.sentence, ==, "The migration of “db-01” from lyon-1 to paris-2 failed: Storage mirror failed.");
  g_assert_cmpstr (e.fix, ==, "Look for the reason in /var/log/xensource.log on lyon-1 and paris-2, then try again.");
  g_assert_cmpstr (e.details, ==,
                   "VM_MIGRATE_FAILED (vm: db-01, source: lyon-1, destination: paris-2, msg: Storage mirror failed)");
  explained_clear (&e);

  /* A reference inside the pool's own message is named in the sentence;
   * the details keep the message as it came. */
  {
    g_autofree char   *msg = g_strdup_printf ("Failed to mirror %s.", data_vdi);
    const char * const params[] = { ferry_vm_get_ref (db), ferry_host_get_ref (lyon1),
                                    ferry_host_get_ref (paris2), msg, NULL };

    e.sentence = ferry_error_code_explain ("VM_MIGRATE_FAILED", params, &context, &e.fix, &e.details);
    g_assert_cmpstr (e.sentence, ==, "The migration of “db-01” from lyon-1 to paris-2 failed: Failed to mirror “db-01 data”.");
    g_assert_nonnull (strstr (e.details, msg));
    explained_clear (&e);
  }

  explain (&e, &context, "VM_REQUIRES_SR", ferry_vm_get_ref (db), ferry_sr_get_ref (local), NULL);
  g_assert_cmpstr (e.sentence, ==, "paris-2 cannot see the SR “Local storage lyon-1”, which holds disks of “db-01”.");
  g_assert_nonnull (strstr (e.fix, "Local storage lyon-1"));
  g_assert_cmpstr (e.details, ==, "VM_REQUIRES_SR (vm: db-01, sr: Local storage lyon-1)");
  explained_clear (&e);

  explain (&e, &web_context, "VM_REQUIRES_NETWORK", ferry_vm_get_ref (web), ferry_network_get_ref (dmz), NULL);
  g_assert_cmpstr (e.sentence, ==, "paris-2 has no interface on the network “DMZ”, which “web-01” uses.");
  g_assert_cmpstr (e.fix, ==, "Connect paris-2 to “DMZ”, or pick a host that is connected to it.");
  g_assert_cmpstr (e.details, ==, "VM_REQUIRES_NETWORK (vm: web-01, network: DMZ)");
  explained_clear (&e);

  explain (&e, &context, "HOST_NOT_ENOUGH_FREE_MEMORY", "8589934592", "2147483648", NULL);
  g_assert_cmpstr (e.sentence, ==,
                   "paris-2 does not have enough free memory for “db-01”: it needs 8 GiB, 2 GiB are free.");
  g_assert_nonnull (strstr (e.fix, "paris-2"));
  g_assert_cmpstr (e.details, ==, "HOST_NOT_ENOUGH_FREE_MEMORY (needed: 8589934592, available: 2147483648)");
  explained_clear (&e);

  explain (&e, &context, "VDI_CBT_ENABLED", data_vdi, NULL);
  g_assert_cmpstr (e.sentence, ==, "The disk “db-01 data” of “db-01” has changed block tracking enabled, so it cannot move.");
  g_assert_nonnull (strstr (e.fix, "“db-01 data”"));
  g_assert_cmpstr (e.details, ==, "VDI_CBT_ENABLED (vdi: db-01 data)");
  explained_clear (&e);

  {
    FerryVif        *vif = vif_on (web, "DMZ");
    g_autofree char *sentence = g_strdup_printf ("Network interface %s of “web-01” (on “DMZ”) has no destination network.",
                                                 vif->device);
    g_autofree char *details = g_strdup_printf ("VIF_NOT_IN_MAP (vif: interface %s)", vif->device);

    explain (&e, &web_context, "VIF_NOT_IN_MAP", vif->vif_ref, NULL);
    g_assert_cmpstr (e.sentence, ==, sentence);
    g_assert_nonnull (strstr (e.fix, "Paris"));
    g_assert_cmpstr (e.details, ==, details);
    explained_clear (&e);
  }

  explain (&e, &context, "VM_INCOMPATIBLE_WITH_THIS_HOST", ferry_vm_get_ref (db), ferry_host_get_ref (paris2),
           "VM last booted on a CPU with features this host's CPU does not have.", NULL);
  g_assert_cmpstr (e.sentence, ==, "“db-01” cannot run on the CPU of paris-2 "
                                   "(VM last booted on a CPU with features this host's CPU does not have).");
  g_assert_cmpstr (e.fix, ==, "Pick a host with the same kind of CPU as lyon-1.");
  explained_clear (&e);

  explain (&e, &context, "TOO_MANY_STORAGE_MIGRATES", "3", NULL);
  g_assert_cmpstr (e.sentence, ==, "lyon-1 is already running 3 storage migrations, as many as it can.");
  g_assert_cmpstr (e.details, ==, "TOO_MANY_STORAGE_MIGRATES (number: 3)");
  explained_clear (&e);

  explain (&e, &context, "SR_DOES_NOT_SUPPORT_MIGRATION", ferry_sr_get_ref (paris_local), "", NULL);
  g_assert_cmpstr (e.sentence, ==, "The SR “Local storage paris-2” does not support storage migration.");
  g_assert_cmpstr (e.fix, ==, "Pick another SR than “Local storage paris-2” for the disks of “db-01”.");
  g_assert_cmpstr (e.details, ==, "SR_DOES_NOT_SUPPORT_MIGRATION (sr: Local storage paris-2)");
  explained_clear (&e);

  explain (&e, &context, "CANNOT_CONTACT_HOST", ferry_host_get_ref (paris2), NULL);
  g_assert_cmpstr (e.sentence, ==, "The pool Lyon could not contact paris-2.");
  g_assert_nonnull (strstr (e.fix, "paris-2"));
  g_assert_cmpstr (e.details, ==, "CANNOT_CONTACT_HOST (host: paris-2)");
  explained_clear (&e);

  explain (&e, &context, "VDI_NOT_IN_MAP", data_vdi, NULL);
  g_assert_cmpstr (e.sentence, ==, "The disk “db-01 data” of “db-01” has no destination SR.");
  g_assert_cmpstr (e.fix, ==, "Choose a destination SR for “db-01 data”, then try again.");
  explained_clear (&e);

  /* host.migrate_receive on the target pool: its own references. */
  explain (&e, &context, "HOST_CANNOT_ATTACH_NETWORK", ferry_host_get_ref (paris2),
           ferry_network_get_ref (engine_network (f->paris, "DMZ")), NULL);
  g_assert_cmpstr (e.sentence, ==, "paris-2 has no interface on the network “DMZ”, which this migration needs.");
  g_assert_cmpstr (e.details, ==, "HOST_CANNOT_ATTACH_NETWORK (host: paris-2, network: DMZ)");
  explained_clear (&e);

  explain (&e, &context, "MIRROR_FAILED", data_vdi, NULL);
  g_assert_cmpstr (e.sentence, ==, "Copying the disk “db-01 data” of “db-01” to paris-2 failed while the VM was running.");
  g_assert_cmpstr (e.fix, ==, "Check the free space of the destination SR and the network between lyon-1 and paris-2, "
                              "then try again.");
  g_assert_cmpstr (e.details, ==, "MIRROR_FAILED (vdi: db-01 data)");
  explained_clear (&e);
}

/* A reference neither pool knows: the plain sentence, and the reference
 * only in the details. */
static void
test_named_unknown (Fixture      *f,
                    gconstpointer data)
{
  FerryErrorContext context = {
    .vm_name = "db-01",
    .source_host_name = "lyon-1",
    .target_host_name = "paris-2",
    .source_pool = f->lyon,
    .target_pool = f->paris,
  };
  const char * const params[] = { "OpaqueRef:00000000-0000-0000-0000-0000000000ff", NULL };
  g_autofree char   *fix = NULL;
  g_autofree char   *details = NULL;
  g_autofree char   *sentence = ferry_error_code_explain ("MIRROR_FAILED", params, &context, &fix, &details);

  g_assert_cmpstr (sentence, ==, "Copying a disk while the VM was running failed.");
  g_assert_nonnull (fix);
  g_assert_cmpstr (details, ==, "MIRROR_FAILED (vdi: OpaqueRef:00000000-0000-0000-0000-0000000000ff)");
}

static gboolean
finished (gpointer data)
{
  return ferry_job_is_finished (data);
}

/* A migration that fails half-way: the job's sentence names the VM, the
 * hosts and the disk, and its details keep the code. */
static void
test_job_failure (Fixture      *f,
                  gconstpointer data)
{
  FerryVm         *db = engine_vm (f->lyon, "db-01");
  FerryHost       *lyon1 = engine_host (f->lyon, "lyon-1");
  FerryHost       *paris2 = engine_host (f->paris, "paris-2");
  /* Copied: the VM's disk list is rebuilt as the cache changes. */
  g_autofree char *data_vdi = g_strdup (disk_named (db, "db-01 data")->vdi_ref);
  g_autofree char *command = NULL;
  g_autoptr(JsonObject) reply = NULL;
  g_autoptr(JsonObject) reply2 = NULL;
  FerryJob *job;

  reply = engine_sim_control (f->sim, "{\"command\": \"set_bandwidth\", \"mbps\": 20000}");

  /* Cross-pool: the destination host is a reference of the Paris pool. */
  command = g_strdup_printf ("{\"command\": \"fail_migration\", \"vm\": \"db-01\", \"at\": 0.2,"
                             " \"error\": [\"VM_MIGRATE_FAILED\", \"%s\", \"%s\", \"%s\", \"Storage mirror failed\"]}",
                             ferry_vm_get_ref (db), ferry_host_get_ref (lyon1), ferry_host_get_ref (paris2));
  reply2 = engine_sim_control (f->sim, command);

  job = ferry_manager_migrate (f->manager, db, paris2, NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);
  ferry_job_confirm (job, NULL);
  g_assert_true (engine_wait_until (finished, job, 120));
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_FAILED);
  g_assert_cmpstr (ferry_job_get_error_code (job), ==, "VM_MIGRATE_FAILED");
  g_assert_cmpstr (ferry_job_get_error (job), ==,
                   "The migration of “db-01” from lyon-1 to paris-2 failed: Storage mirror failed. "
                   "Look for the reason in /var/log/xensource.log on lyon-1 and paris-2, then try again.");
  g_assert_cmpstr (ferry_job_get_error_details (job), ==,
                   "VM_MIGRATE_FAILED (vm: db-01, source: lyon-1, destination: paris-2, msg: Storage mirror failed)");

  /* The next try fails on the disk instead. */
  g_clear_pointer (&command, g_free);
  g_clear_pointer (&reply2, json_object_unref);
  command = g_strdup_printf ("{\"command\": \"fail_migration\", \"vm\": \"db-01\", \"at\": 0.2,"
                             " \"error\": [\"MIRROR_FAILED\", \"%s\"]}",
                             data_vdi);
  reply2 = engine_sim_control (f->sim, command);

  job = ferry_manager_migrate (f->manager, db, paris2, NULL);
  g_assert_cmpint (engine_wait_job (job, 60), ==, FERRY_JOB_STATE_AWAITING_CONFIRMATION);
  ferry_job_confirm (job, NULL);
  g_assert_true (engine_wait_until (finished, job, 120));
  g_assert_cmpint (ferry_job_get_state (job), ==, FERRY_JOB_STATE_FAILED);
  g_assert_cmpstr (ferry_job_get_error (job), ==,
                   "Copying the disk “db-01 data” of “db-01” to paris-2 failed while the VM was running. "
                   "Check the free space of the destination SR and the network between lyon-1 and paris-2, "
                   "then try again.");
  g_assert_cmpstr (ferry_job_get_error_details (job), ==, "MIRROR_FAILED (vdi: db-01 data)");
  g_assert_null (strstr (ferry_job_get_error (job), "OpaqueRef"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/errors/table", test_table);
  g_test_add_func ("/engine/errors/transport", test_transport);
  g_test_add_func ("/engine/errors/transport-punctuation", test_transport_punctuation);
  g_test_add_func ("/engine/errors/bad-answers", test_bad_answers);
  g_test_add_func ("/engine/errors/translate", test_translate);
  g_test_add_func ("/engine/errors/job-states", test_job_states);
  g_test_add_func ("/engine/errors/options", test_options);
  g_test_add ("/engine/errors/named", Fixture, NULL, engine_fixture_setup, test_named, engine_fixture_teardown);
  g_test_add ("/engine/errors/named-unknown", Fixture, NULL,
              engine_fixture_setup, test_named_unknown, engine_fixture_teardown);
  g_test_add ("/engine/errors/job-failure", Fixture, NULL,
              engine_fixture_setup, test_job_failure, engine_fixture_teardown);

  return g_test_run ();
}
