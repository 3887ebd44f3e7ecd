/* The subcommand table: one line per command, one file per command. */
#ifndef EKU_CLI_COMMANDS_H
#define EKU_CLI_COMMANDS_H

/* X(name, function, one-line summary) */
#define CLI_COMMANDS(X)                                                                   \
	X("ca", cmd_ca, "private PKI for client certificates: init, issue, revoke, crl, check") \
	X("census", cmd_census, "aggregates: EKU class x vendor x month, clientAuth sunset in numbers") \
	X("data", cmd_data, "data files in force: timeline, root store, products; export to edit") \
	X("gateway", cmd_gateway, "mTLS proxy: separate server and client certificate stores") \
	X("history", cmd_history, "what eku serve saw: certificates per endpoint or file, events") \
	X("inspect", cmd_inspect, "certificate facts, EKU class, issuer class and vendor") \
	X("plan", cmd_plan, "deployment inventory -> what breaks when, options A-D, dated actions") \
	X("report", cmd_report, "a plan as one HTML page with a timeline chart, or an iCalendar file") \
	X("serve", cmd_serve, "continuous monitoring: history, events, Prometheus metrics, /probe") \
	X("scan", cmd_scan, "live endpoints: chain, client-certificate requests, dry runs") \
	X("verify", cmd_verify, "role-aware path validation with EKU policy, explained")

#define X_DECL(name, fn, summary) int fn(int argc, char **argv);
CLI_COMMANDS(X_DECL)
#undef X_DECL

#endif
