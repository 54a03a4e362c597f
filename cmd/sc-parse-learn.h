/*
 * sc-parse-learn.h - the `learn` subcommand of sc-parse (cmd/sc-parse-learn.c).
 * argv[0] is "learn"; returns the exit status.
 */
#ifndef SC_PARSE_LEARN_H
#define SC_PARSE_LEARN_H

int parse_learn_main(int argc, char **argv, const char *datadir);

#endif
