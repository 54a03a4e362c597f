/*
 * sc-risk-learn.h - the `learn` and `eval` subcommands of sc-risk, kept in
 * their own frontend file (cmd/sc-risk-learn.c). argv[0] is the subcommand
 * name; they return the exit status.
 */
#ifndef SC_RISK_LEARN_H
#define SC_RISK_LEARN_H

int risk_learn_main(int argc, char **argv);
int risk_eval_main(int argc, char **argv);

#endif
