/* test-engine-errors.c: XAPI codes and transport errors as plain sentences
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdarg.h>
#include <string.h>
#include <gio/gio.h>

#include "ferry-engine.h"
#include "xapi-error.h"

static char *
sentence_for (const char *code,
              ...)
{
  g_autoptr(GPtrArray) params = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  const char *param;
  va_list args;

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
    "VM_REQUIRES_SR", "HOST_NOT_ENOUGH_FREE_MEMORY", "VM_INCOMPATIBLE_WITH_THIS_HOST", "VM_BAD_POWER_STATE",
    "HOST_DISABLED", "HOST_NOT_LIVE", "SESSION_AUTHENTICATION_FAILED", "TOO_MANY_STORAGE_MIGRATES",
    "VDI_NOT_IN_MAP", "VIF_NOT_IN_MAP", "OTHER_OPERATION_IN_PROGRESS", "LICENCE_RESTRICTION",
    "CANNOT_CONTACT_HOST", "SR_BACKEND_FAILURE_1", "MIRROR_FAILED", "VM_MIGRATE_FAILED", "TASK_CANCELLED",
    "HOST_CANNOT_ATTACH_NETWORK", "VM_REQUIRES_NETWORK",
  };

  g_assert_cmpstr (requires_sr, ==, "The target host cannot see the storage this VM’s disks are on.");
  g_assert_cmpstr (memory, ==, "Not enough free memory on the target host (the VM needs 4.0\u00a0GiB, 2.0\u00a0GiB are free).");
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
  g_autoptr(GError) engine = g_error_new_literal (FERRY_ENGINE_ERROR, FERRY_ENGINE_ERROR_NO_SR, "No SR.");
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

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/engine/errors/table", test_table);
  g_test_add_func ("/engine/errors/transport", test_transport);
  g_test_add_func ("/engine/errors/transport-punctuation", test_transport_punctuation);
  g_test_add_func ("/engine/errors/bad-answers", test_bad_answers);
  g_test_add_func ("/engine/errors/job-states", test_job_states);
  g_test_add_func ("/engine/errors/options", test_options);

  return g_test_run ();
}
