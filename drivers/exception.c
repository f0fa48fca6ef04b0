/*
 * drivers/exception: kernel side of the exception tap (see exception.h).
 * Addresses are set over rtnetlink, the kernel's own interface for it, so the daemon
 * does not depend on iproute2 being installed on the appliance.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <rte_ethdev.h>

#include "exception.h"

/* A netlink request assembled in one aligned buffer: header, ifaddrmsg, attributes. */
struct nl_req {
	union {
		struct nlmsghdr nh;
		uint8_t bytes[256];
	} u;
};

static void nl_add_attr(struct nl_req *req, uint16_t type, const void *data, size_t len)
{
	size_t off = NLMSG_ALIGN(req->u.nh.nlmsg_len);
	struct rtattr rta = { .rta_len = (unsigned short)RTA_LENGTH(len), .rta_type = type };

	memcpy(req->u.bytes + off, &rta, sizeof(rta));
	memcpy(req->u.bytes + off + RTA_LENGTH(0), data, len);
	req->u.nh.nlmsg_len = (uint32_t)(off + RTA_ALIGN(rta.rta_len));
}

/* Send one request and read its ack; EEXIST (address already there) is success. */
static int nl_transact(int fd, struct nlmsghdr *nh)
{
	char buf[512];
	struct nlmsghdr *ack = (struct nlmsghdr *)buf;
	ssize_t n;

	if (send(fd, nh, nh->nlmsg_len, 0) < 0)
		return -errno;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n < 0)
		return -errno;
	if ((size_t)n < sizeof(*ack) || ack->nlmsg_type != NLMSG_ERROR)
		return -EPROTO;
	{
		const struct nlmsgerr *e = NLMSG_DATA(ack);
		return e->error == -EEXIST ? 0 : e->error;
	}
}

static int nl_add_address(int fd, unsigned int ifindex, const struct exception_addr *a,
			  uint32_t seq)
{
	struct nl_req req;
	struct ifaddrmsg ifa;
	size_t alen = a->family == AF_INET ? 4 : 16;
	uint32_t flags = IFA_F_NODAD;

	memset(&req, 0, sizeof(req));
	memset(&ifa, 0, sizeof(ifa));
	ifa.ifa_family = (uint8_t)a->family;
	ifa.ifa_prefixlen = a->prefixlen;
	ifa.ifa_index = ifindex;
	memcpy(req.u.bytes + NLMSG_HDRLEN, &ifa, sizeof(ifa));
	req.u.nh.nlmsg_len = NLMSG_LENGTH(sizeof(ifa));
	req.u.nh.nlmsg_type = RTM_NEWADDR;
	req.u.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	req.u.nh.nlmsg_seq = seq;
	nl_add_attr(&req, IFA_LOCAL, a->addr, alen);
	nl_add_attr(&req, IFA_ADDRESS, a->addr, alen);
	nl_add_attr(&req, IFA_FLAGS, &flags, sizeof(flags));
	return nl_transact(fd, &req.u.nh);
}

/* A default route via gw out of ifindex; NLM_F_REPLACE makes a second call a no-op. */
static int nl_add_default_route(int fd, unsigned int ifindex, const struct exception_addr *gw,
				uint32_t seq)
{
	struct nl_req req;
	struct rtmsg rtm;
	uint32_t oif = ifindex;

	memset(&req, 0, sizeof(req));
	memset(&rtm, 0, sizeof(rtm));
	rtm.rtm_family = (uint8_t)gw->family;
	rtm.rtm_dst_len = 0;
	rtm.rtm_table = RT_TABLE_MAIN;
	rtm.rtm_protocol = RTPROT_STATIC;
	rtm.rtm_scope = RT_SCOPE_UNIVERSE;
	rtm.rtm_type = RTN_UNICAST;
	memcpy(req.u.bytes + NLMSG_HDRLEN, &rtm, sizeof(rtm));
	req.u.nh.nlmsg_len = NLMSG_LENGTH(sizeof(rtm));
	req.u.nh.nlmsg_type = RTM_NEWROUTE;
	req.u.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE;
	req.u.nh.nlmsg_seq = seq;
	nl_add_attr(&req, RTA_GATEWAY, gw->addr, gw->family == AF_INET ? 4 : 16);
	nl_add_attr(&req, RTA_OIF, &oif, sizeof(oif));
	return nl_transact(fd, &req.u.nh);
}

/* One netlink request per item (an address, a route) for the interface ifname. */
typedef int (*nl_item_fn)(int fd, unsigned int ifindex, const struct exception_addr *a,
			  uint32_t seq);

static int nl_apply(const char *ifname, nl_item_fn fn, const struct exception_addr *items,
		    size_t n, uint32_t seq0, const char *what, char *err, size_t errlen)
{
	unsigned int ifindex = if_nametoindex(ifname);
	int fd, rc = 0;

	if (ifindex == 0) {
		snprintf(err, errlen, "exception interface '%s' not found", ifname);
		return -ENODEV;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0) {
		snprintf(err, errlen, "netlink socket: %s", strerror(errno));
		return -errno;
	}
	for (size_t i = 0; i < n && rc == 0; i++)
		rc = fn(fd, ifindex, &items[i], seq0 + (uint32_t)i);
	close(fd);
	if (rc < 0)
		snprintf(err, errlen, "cannot add %s on '%s': %s", what, ifname, strerror(-rc));
	return rc;
}

int exception_add_default_routes(const char *ifname, const struct exception_addr *gws,
				 size_t n_gws, char *err, size_t errlen)
{
	return nl_apply(ifname, nl_add_default_route, gws, n_gws, 100, "a default route",
			err, errlen);
}

void exception_ifname(const char *devargs, char *ifname, size_t len)
{
	const char *p = strstr(devargs, "iface=");
	size_t n;

	ifname[0] = '\0';
	if (p == NULL || len == 0)
		return;
	p += strlen("iface=");
	n = strcspn(p, ",");
	if (n >= len)
		n = len - 1;
	memcpy(ifname, p, n);
	ifname[n] = '\0';
}

int exception_configure_kernel(uint16_t exc_port, const char *ifname,
			       const struct rte_ether_addr *mac,
			       const struct exception_addr *addrs, size_t n_addrs,
			       char *err, size_t errlen)
{
	int rc;

	/* net_tap applies a MAC change to its kernel interface. */
	rc = rte_eth_dev_default_mac_addr_set(exc_port, (struct rte_ether_addr *)mac);
	if (rc < 0) {
		snprintf(err, errlen, "exception port: cannot set MAC: %s", strerror(-rc));
		return rc;
	}
	return nl_apply(ifname, nl_add_address, addrs, n_addrs, 1, "an address", err, errlen);
}
