/* fuzz-common.h: what every fuzz target shares
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

G_BEGIN_DECLS

/* libFuzzer's entry points (also called by fuzz-main.c). */
int LLVMFuzzerInitialize (int    *argc,
                          char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data,
                            size_t         size);

/* A property that must hold for every input.  abort() is what libFuzzer
 * (and the corpus replay test) report as a finding. */
#define FUZZ_CHECK(cond)                                                               \
  G_STMT_START                                                                         \
  {                                                                                    \
    if (G_UNLIKELY (!(cond)))                                                          \
      {                                                                                \
        fprintf (stderr, "%s:%d: property violated: %s\n", __FILE__, __LINE__, #cond); \
        abort ();                                                                      \
      }                                                                                \
  }                                                                                    \
  G_STMT_END

/* A g_critical() (a failed g_return_if_fail) or a g_warning() means that the
 * code passed something invalid to GLib or json-glib: a bug, even if the
 * process would survive it, as G_DEBUG=fatal-criticals makes it in the test
 * suite.  GLib's own fatal path raises SIGTRAP, which libFuzzer does not
 * catch (no reproducer would be saved): abort() instead.  Other messages
 * are dropped; printing them would only slow the fuzzer down. */
static GLogWriterOutput
fuzz_log_writer (GLogLevelFlags   log_level,
                 const GLogField *fields,
                 gsize            n_fields,
                 gpointer         user_data)
{
  if (log_level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    {
      g_autofree char *line = g_log_writer_format_fields (log_level, fields, n_fields, FALSE);

      fprintf (stderr, "%s\n", line);
      abort ();
    }
  return G_LOG_WRITER_HANDLED;
}

/* Findings that are reported but not fixed yet would stop every run at
 * once (libFuzzer stops at the first crash, and its first input is the
 * empty one).  With FERRY_FUZZ_SKIP_OPEN=1 (fuzz/run-fuzzers sets it unless
 * given --strict) a target skips the inputs that match one of its open
 * findings, listed in README.md; without it, they crash as they should.
 * Remove a pattern as soon as its bug is fixed. */
/* For the code that recognises open findings: without coverage
 * instrumentation, so that libFuzzer is not rewarded for finding new ways
 * of reaching a skipped shape. */
#if defined(__clang__)
#define FUZZ_NO_COVERAGE __attribute__ ((no_sanitize ("coverage")))
#else
#define FUZZ_NO_COVERAGE
#endif

static inline gboolean
fuzz_skip_open_findings (void)
{
  static int skip = -1;

  if (skip < 0)
    skip = g_strcmp0 (g_getenv ("FERRY_FUZZ_SKIP_OPEN"), "1") == 0;
  return skip;
}

static inline void
fuzz_init_glib (void)
{
  g_log_set_writer_func (fuzz_log_writer, NULL, NULL);
  g_log_set_always_fatal (G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
}

G_END_DECLS
