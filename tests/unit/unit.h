/*
 * unit.h - what every lesson's cmocka unit test file shares.
 *
 * A unit test file lists its tests with UNIT_TEST("what it checks", function) and ends with
 * UNIT_MAIN("NN-name", tests). scripts/check reads the names from the UNIT_TEST lines, then runs
 * the binary once per test with that test's name as its argument (a cmocka test filter), so
 * each check gets its own verdict, its own time limit and its own message. `--list` prints the
 * names, for a person.
 *
 * The file names the system calls it replaces on a line of its own:
 *     // wrap: socket setsockopt bind listen close
 * and scripts/check links it with -Wl,--wrap=NAME for each, so that the student's calls to
 * NAME reach __wrap_NAME in the test, and __real_NAME is the real one.
 */
#ifndef SOCKCHAT_UNIT_H
#define SOCKCHAT_UNIT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* Kept on one line: clang-format 14 would split the braces over four. */
// clang-format off
#define UNIT_TEST(name, function) {name, function, NULL, NULL, NULL}
// clang-format on

/* check(condition, "expected ..., seen ...", args...): fail the test with a message written
 * for the student when condition is false. */
#define check(condition, ...)                                                                      \
    do {                                                                                           \
        if (!(condition)) {                                                                        \
            fail_msg(__VA_ARGS__);                                                                 \
        }                                                                                          \
    } while (0)

static inline int unit_main(int argc, char **argv, const char *group,
                            const struct CMUnitTest *tests, size_t count)
{
    if (argc > 1 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < count; i++)
            printf("%s\n", tests[i].name);
        return 0;
    }
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return _cmocka_run_group_tests(group, tests, count, NULL, NULL);
}

#define UNIT_MAIN(group, tests)                                                                    \
    int main(int argc, char **argv)                                                                \
    {                                                                                              \
        return unit_main(argc, argv, group, tests, sizeof(tests) / sizeof((tests)[0]));            \
    }

#endif
