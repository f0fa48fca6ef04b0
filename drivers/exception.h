/*
 * drivers/exception: the kernel exception path.
 *
 * The dataplane answers DNS, ARP, IPv6 neighbour discovery and ICMP echo itself.
 * Everything else addressed to the appliance (TCP, other UDP ports, other ICMP, ND
 * and ARP replies the kernel is waiting for) goes to the kernel through a net_tap
 * port whose kernel interface carries the appliance's own addresses and the MAC of
 * the wire port; what the kernel sends on that interface is forwarded by the
 * workers out of the wire port unchanged. Kernel sockets (the control thread's TCP
 * service later) thus work on the appliance's addresses with no second NIC.
 *
 * Control thread, start-up only.
 */
#ifndef SEKISHO_DRIVERS_EXCEPTION_H
#define SEKISHO_DRIVERS_EXCEPTION_H

#include <stddef.h>
#include <stdint.h>

#include <rte_ether.h>

struct exception_addr {
	int family;           /* AF_INET or AF_INET6 */
	uint8_t addr[16];     /* network byte order; IPv4 in the first 4 bytes */
	uint8_t prefixlen;
};

/*
 * Give the kernel side of the exception tap the wire port's MAC and the appliance's
 * addresses (IPv6 without DAD: the dataplane already owns them), and set it up.
 * ifname is the tap's kernel interface ("iface=" of its devargs).
 * Returns 0 or a negative errno value with a reason in err.
 */
int exception_configure_kernel(uint16_t exc_port, const char *ifname,
			       const struct rte_ether_addr *mac,
			       const struct exception_addr *addrs, size_t n_addrs,
			       char *err, size_t errlen);

/*
 * Default routes (IPv4 and/or IPv6) via the port's gateways out of the exception
 * interface, so that the kernel's own TCP (the TCP service's connections to
 * authoritative servers) leaves through the dataplane to the gateway. gws: the
 * gateways (prefixlen unused). Idempotent: an existing default route is replaced.
 * Returns 0 or a negative errno value with a reason in err.
 */
int exception_add_default_routes(const char *ifname, const struct exception_addr *gws,
				 size_t n_gws, char *err, size_t errlen);

/* The value of "iface=" in devargs, or "" when absent. */
void exception_ifname(const char *devargs, char *ifname, size_t len);

#endif
