// SPDX-License-Identifier: GPL-2.0-only
/* The kernel's process events (watch.h): netlink NETLINK_CONNECTOR, its
 * group CN_IDX_PROC, PROC_CN_MCAST_LISTEN (CAP_NET_ADMIN; the connector
 * exists in the host's network namespace only), then one PROC_EVENT_EXEC
 * message per exec and one PROC_EVENT_FORK per fork (and per new thread:
 * left out). The protocol is the kernel's include/uapi/linux/
 * cn_proc.h and connector.h. */
#include "user/watch.h"
#include "common/fsutil.h"
#include "common/log.h"
#include "common/outcome.h"

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ACK_TIMEOUT_MS 1000

struct cn_request {
	struct nlmsghdr nl;
	struct cn_msg cn;
	enum proc_cn_mcast_op op;
} __attribute__((packed));

static int connector_send(int fd, enum proc_cn_mcast_op op)
{
	struct cn_request r;

	memset(&r, 0, sizeof(r));
	r.nl.nlmsg_len = sizeof(r);
	r.nl.nlmsg_type = NLMSG_DONE;
	r.nl.nlmsg_pid = (unsigned)getpid();
	r.cn.id.idx = CN_IDX_PROC;
	r.cn.id.val = CN_VAL_PROC;
	r.cn.len = sizeof(r.op);
	r.op = op;
	return send(fd, &r, sizeof(r), 0) < 0 ? -errno : 0;
}

static void report_no_events(const char *why, int err)
{
	report(CODE_NO_PROC_EVENTS, ABOUT_NOTHING,
	       "the kernel's process-event connector is unavailable: %s%s%s", why,
	       err ? ": " : "", err ? strerror(err) : "");
}

/* The kernel answers a subscription with PROC_EVENT_NONE carrying its
 * error: none at all means no CONFIG_PROC_EVENTS. Events that come first
 * are dropped (the watcher is not running yet). */
static int wait_for_ack(int fd)
{
	char buf[4096];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	double deadline = now_seconds() + ACK_TIMEOUT_MS / 1000.0;

	while (now_seconds() < deadline) {
		int left = (int)((deadline - now_seconds()) * 1000) + 1;
		ssize_t n;

		if (poll(&pfd, 1, left) <= 0)
			continue;
		n = recv(fd, buf, sizeof(buf), 0);
		for (struct nlmsghdr *nh = (void *)buf; n > 0 && NLMSG_OK(nh, (size_t)n);
		     nh = NLMSG_NEXT(nh, n)) {
			struct cn_msg *cn = NLMSG_DATA(nh);
			struct proc_event *ev = (void *)cn->data;

			if (cn->id.idx != CN_IDX_PROC || ev->what != PROC_EVENT_NONE)
				continue;
			if (ev->event_data.ack.err == EPERM) {
				report(CODE_NOT_ROOT, ABOUT_NOTHING,
				       "the kernel refused the process-event subscription: it "
				       "needs CAP_NET_ADMIN");
				return -EPERM;
			}
			if (ev->event_data.ack.err) {
				report_no_events("the subscription was refused",
						 (int)ev->event_data.ack.err);
				return -EPROTONOSUPPORT;
			}
			return 0;
		}
	}
	report_no_events("no answer to the subscription within 1 s (a kernel without "
			 "CONFIG_PROC_EVENTS)", 0);
	return -EPROTONOSUPPORT;
}

int user_exec_events_open(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = CN_IDX_PROC };
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_CONNECTOR);
	int size = 8 << 20, ret = 0;

	if (fd < 0) {
		report_no_events("no netlink connector (CONFIG_CONNECTOR)", errno);
		return -EPROTONOSUPPORT;
	}
	/* bursts of execs: room for them while a process is being patched */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)))
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		report_no_events("cannot join its multicast group", errno);
		ret = -EPROTONOSUPPORT;
	} else if ((ret = connector_send(fd, PROC_CN_MCAST_LISTEN))) {
		/* ECONNREFUSED: a network namespace of its own has no connector */
		report_no_events("cannot subscribe (the connector lives in the host's network "
				 "namespace only)", -ret);
		ret = -EPROTONOSUPPORT;
	} else {
		ret = wait_for_ack(fd);
	}
	if (ret)
		close(fd);
	return ret ? ret : fd;
}

/* A fork of a process (not a new thread: its pid is its thread group's). */
static bool is_process_fork(const struct proc_event *ev)
{
	return ev->what == PROC_EVENT_FORK &&
	       ev->event_data.fork.child_pid == ev->event_data.fork.child_tgid;
}

int user_proc_events_read(int fd, struct user_proc_event evs[USER_EXEC_EVENTS_MAX], size_t *nr)
{
	char buf[16384] __attribute__((aligned(NLMSG_ALIGNTO)));
	ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);

	*nr = 0;
	if (n < 0)
		return errno == EAGAIN ? 0 : -errno;
	for (struct nlmsghdr *nh = (void *)buf; NLMSG_OK(nh, (size_t)n) && *nr < USER_EXEC_EVENTS_MAX;
	     nh = NLMSG_NEXT(nh, n)) {
		struct cn_msg *cn = NLMSG_DATA(nh);
		struct proc_event *ev = (void *)cn->data;

		if (cn->id.idx != CN_IDX_PROC)
			continue;
		if (ev->what == PROC_EVENT_EXEC)
			evs[(*nr)++] = (struct user_proc_event){
				.pid = ev->event_data.exec.process_tgid };
		else if (is_process_fork(ev))
			evs[(*nr)++] = (struct user_proc_event){
				.pid = ev->event_data.fork.child_tgid,
				.parent = ev->event_data.fork.parent_tgid, .fork = true };
	}
	return 0;
}

void user_exec_events_close(int fd)
{
	if (fd < 0)
		return;
	connector_send(fd, PROC_CN_MCAST_IGNORE);
	close(fd);
}
