//! cidrhost, cidrnetmask, cidrsubnet, cidrsubnets (go-cty-funcs cidr, built on
//! apparentlymart/go-cidr), with addresses held as u128.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::{PTy, Param, as_int, as_str, call_args, fixed_args};
use crate::bake::value::Value;

#[derive(Clone, Copy)]
struct Net {
    ip: u128,
    bits: u32,
    prefix: u32,
}

fn mask(prefix: u32, bits: u32) -> u128 {
    let all = if bits == 128 {
        u128::MAX
    } else {
        (1u128 << bits) - 1
    };
    if prefix == 0 {
        return 0;
    }
    all & (all << (bits - prefix.min(bits)))
}

fn ip_string(ip: u128, bits: u32) -> String {
    if bits == 32 {
        return Ipv4Addr::from(ip as u32).to_string();
    }
    let v6 = Ipv6Addr::from(ip);
    match v6.to_ipv4_mapped() {
        Some(v4) => v4.to_string(),
        None => v6.to_string(),
    }
}

impl Net {
    fn last(&self) -> u128 {
        self.ip | (!mask(self.prefix, self.bits) & mask(self.bits, self.bits))
    }
    fn contains(&self, ip: u128) -> bool {
        let m = mask(self.prefix, self.bits);
        ip & m == self.ip & m
    }
    fn string(&self) -> String {
        format!("{}/{}", ip_string(self.ip, self.bits), self.prefix)
    }
}

/// Go's net.ParseCIDR.
fn parse_cidr(s: &str) -> Result<Net, String> {
    let err = || format!("invalid CIDR expression: invalid CIDR address: {s}");
    let (addr, len) = s.split_once('/').ok_or_else(err)?;
    if len.is_empty() || len.len() > 3 || !len.bytes().all(|b| b.is_ascii_digit()) {
        return Err(err());
    }
    let prefix: u32 = len.parse().map_err(|_| err())?;
    let (ip, bits) = match addr.parse::<IpAddr>().map_err(|_| err())? {
        IpAddr::V4(v4) => (u32::from(v4) as u128, 32),
        IpAddr::V6(v6) => (u128::from(v6), 128),
    };
    if addr.contains(':') && addr.contains('%') || prefix > bits {
        return Err(err());
    }
    Ok(Net {
        ip: ip & mask(prefix, bits),
        bits,
        prefix,
    })
}

pub fn cidrhost(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(
        args,
        &[
            Param::new("prefix", PTy::Str),
            Param::new("hostnum", PTy::Num),
        ],
    )?;
    let mut num = as_int(&a[1])? as i128;
    let net = parse_cidr(as_str(&a[0]))?;
    let host_len = net.bits - net.prefix;
    let max: u128 = if host_len == 128 {
        u128::MAX
    } else {
        (1u128 << host_len) - 1
    };
    let num_abs: u128;
    if num < 0 {
        num_abs = (-num - 1) as u128;
        num = max as i128 - num_abs as i128;
    } else {
        num_abs = num as u128;
    }
    if num_abs > max {
        return Err(format!(
            "prefix of {} does not accommodate a host numbered {num}",
            net.prefix
        ));
    }
    Ok(Value::string(ip_string(net.ip | num as u128, net.bits)))
}

pub fn cidrnetmask(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(args, &[Param::new("prefix", PTy::Str)])?;
    let net = parse_cidr(as_str(&a[0]))?;
    let m = mask(net.prefix, net.bits);
    Ok(Value::String(if net.bits == 32 {
        Ipv4Addr::from(m as u32).to_string().into()
    } else {
        Ipv6Addr::from(m).to_string().into()
    }))
}

pub fn cidrsubnet(args: &[Value]) -> Result<Value, String> {
    let a = fixed_args(
        args,
        &[
            Param::new("prefix", PTy::Str),
            Param::new("newbits", PTy::Num),
            Param::new("netnum", PTy::Num),
        ],
    )?;
    let newbits = as_int(&a[1])?;
    let netnum = as_int(&a[2])?;
    let net = parse_cidr(as_str(&a[0]))?;
    if newbits > 32 {
        return Err("may not extend prefix by more than 32 bits".into());
    }
    let new_prefix = net.prefix as i64 + newbits;
    if new_prefix > net.bits as i64 {
        return Err(format!(
            "insufficient address space to extend prefix of {} by {newbits}",
            net.prefix
        ));
    }
    if newbits < 0 || new_prefix < 0 {
        return Err(format!(
            "prefix extension of {newbits} does not accommodate a subnet numbered {netnum}"
        ));
    }
    let max: u64 = if newbits >= 64 {
        u64::MAX
    } else {
        (1u64 << newbits) - 1
    };
    if netnum < 0 || netnum as u64 > max {
        return Err(format!(
            "prefix extension of {newbits} does not accommodate a subnet numbered {netnum}"
        ));
    }
    let new_prefix = new_prefix as u32;
    let shift = net.bits - new_prefix;
    let add = if shift >= 128 {
        0
    } else {
        (netnum as u128) << shift
    };
    let ip = (net.ip | add) & mask(net.bits, net.bits);
    Ok(Value::string(
        Net {
            ip,
            bits: net.bits,
            prefix: new_prefix,
        }
        .string(),
    ))
}

pub fn cidrsubnets(args: &[Value]) -> Result<Value, String> {
    let a = call_args(
        args,
        &[Param::new("prefix", PTy::Str)],
        Some(Param::new("newbits", PTy::Num)),
    )?;
    let net = parse_cidr(as_str(&a[0])).map_err(|e| format!("argument 1: {e}"))?;
    let lengths = &a[1..];
    if lengths.is_empty() {
        return Ok(Value::List(vec![]));
    }
    let all = mask(net.bits, net.bits);
    let first = as_int(&lengths[0]).map_err(|e| format!("argument 2: {e}"))? + net.prefix as i64;
    let first = first.clamp(0, net.bits as i64) as u32;
    // cidr.PreviousSubnet
    let prev_ip = net.ip.wrapping_sub(1) & all & mask(first, net.bits);
    let mut current = Net {
        ip: prev_ip,
        bits: net.bits,
        prefix: first,
    };
    let mut out = vec![];
    for (i, l) in lengths.iter().enumerate() {
        let argn = i + 2;
        let mut length = as_int(l).map_err(|e| format!("argument {argn}: {e}"))?;
        if length < 1 {
            return Err(format!(
                "argument {argn}: must extend prefix by at least one bit"
            ));
        }
        if length > 32 {
            return Err(format!(
                "argument {argn}: may not extend prefix by more than 32 bits"
            ));
        }
        length += net.prefix as i64;
        if length > net.bits as i64 {
            let proto = if net.bits == 32 { "IPv4" } else { "IPv6" };
            return Err(format!(
                "argument {argn}: would extend prefix to {length} bits, which is too long for an {proto} address"
            ));
        }
        let length = length as u32;
        // cidr.NextSubnet
        let m = mask(length, net.bits);
        let sub = Net {
            ip: current.last() & m,
            bits: net.bits,
            prefix: length,
        };
        let last = sub.last().wrapping_add(1) & all;
        let next = Net {
            ip: last & m,
            bits: net.bits,
            prefix: length,
        };
        if last == 0 || !net.contains(next.ip) {
            return Err(format!(
                "argument {argn}: not enough remaining address space for a subnet with a prefix of {length} bits after {}",
                current.string()
            ));
        }
        current = next;
        out.push(Value::string(current.string()));
    }
    Ok(Value::List(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::string(x)
    }
    fn n(x: f64) -> Value {
        crate::bake::value::num(x)
    }

    #[test]
    fn host() {
        let h = |p: &str, x: f64| cidrhost(&[s(p), n(x)]);
        assert_eq!(h("192.168.1.0/24", 5.0).unwrap(), s("192.168.1.5"));
        assert_eq!(h("192.168.1.0/24", -5.0).unwrap(), s("192.168.1.251"));
        assert_eq!(h("192.168.1.0/24", -256.0).unwrap(), s("192.168.1.0"));
        assert!(
            h("192.168.1.0/30", 255.0)
                .unwrap_err()
                .contains("does not accommodate a host numbered 255")
        );
        assert!(h("192.168.1.0/30", -255.0).is_err());
        assert_eq!(h("1::/64", 5.0).unwrap(), s("1::5"));
        assert_eq!(
            h("fd9d:bc11:4020::/64", 6.0).unwrap(),
            s("fd9d:bc11:4020::6")
        );
        assert_eq!(h("::ffff:192.168.1.0/120", 5.0).unwrap(), s("192.168.1.5"));
        assert!(
            h("not-a-cidr", 6.0)
                .unwrap_err()
                .contains("invalid CIDR expression")
        );
        assert!(h("10.256.0.0/8", 6.0).is_err());
        assert!(h("192.168.1.0/24", 1.5).is_err());
    }

    #[test]
    fn netmask() {
        assert_eq!(
            cidrnetmask(&[s("192.168.1.0/24")]).unwrap(),
            s("255.255.255.0")
        );
        assert_eq!(
            cidrnetmask(&[s("192.168.1.0/32")]).unwrap(),
            s("255.255.255.255")
        );
        assert_eq!(cidrnetmask(&[s("0.0.0.0/0")]).unwrap(), s("0.0.0.0"));
        assert_eq!(
            cidrnetmask(&[s("1::/64")]).unwrap(),
            s("ffff:ffff:ffff:ffff::")
        );
        assert!(cidrnetmask(&[s("not-a-cidr")]).is_err());
    }

    #[test]
    fn subnet() {
        let sn = |p: &str, b: f64, x: f64| cidrsubnet(&[s(p), n(b), n(x)]);
        assert_eq!(sn("192.168.2.0/20", 4.0, 6.0).unwrap(), s("192.168.6.0/24"));
        assert_eq!(sn("fe80::/48", 16.0, 6.0).unwrap(), s("fe80:0:0:6::/64"));
        assert_eq!(
            sn("fe80::/48", 33.0, 6.0).unwrap_err(),
            "may not extend prefix by more than 32 bits"
        );
        assert_eq!(
            sn("192.168.2.0/20", 13.0, 6.0).unwrap_err(),
            "insufficient address space to extend prefix of 20 by 13"
        );
        assert_eq!(
            sn("192.168.2.0/20", 4.0, 16.0).unwrap_err(),
            "prefix extension of 4 does not accommodate a subnet numbered 16"
        );
        assert_eq!(sn("10.1.2.0/24", 0.0, 0.0).unwrap(), s("10.1.2.0/24"));
    }

    #[test]
    fn subnets() {
        let l = |xs: &[&str]| Value::List(xs.iter().map(|x| s(x)).collect());
        assert_eq!(
            cidrsubnets(&[s("10.0.0.0/8"), n(8.0), n(8.0), n(8.0), n(8.0)]).unwrap(),
            l(&["10.0.0.0/16", "10.1.0.0/16", "10.2.0.0/16", "10.3.0.0/16"])
        );
        assert_eq!(
            cidrsubnets(&[s("10.0.0.0/8"), n(8.0), n(4.0), n(8.0)]).unwrap(),
            l(&["10.0.0.0/16", "10.16.0.0/12", "10.32.0.0/16"])
        );
        assert_eq!(
            cidrsubnets(&[s("fd00:fd12:3456:7890::/56"), n(16.0), n(16.0)]).unwrap(),
            l(&["fd00:fd12:3456:7800::/72", "fd00:fd12:3456:7800:100::/72"])
        );
        assert_eq!(cidrsubnets(&[s("10.0.0.0/8")]).unwrap(), l(&[]));
        assert!(
            cidrsubnets(&[s("10.0.0.0/30"), n(1.0), n(1.0), n(1.0)])
                .unwrap_err()
                .contains("not enough remaining address space")
        );
        assert!(
            cidrsubnets(&[s("10.0.0.0/8"), n(0.0)])
                .unwrap_err()
                .contains("at least one bit")
        );
        assert!(
            cidrsubnets(&[s("10.0.0.0/8"), n(25.0)])
                .unwrap_err()
                .contains("too long for an IPv4 address")
        );
    }
}
