# 40 blocks, then an undefined name under try() twice in one target.
variable "profiles" { default = "[\"dev\",\"release\"]" }
variable "registry" { default = "r.example" }
function "elem" {
  params = [prefix, axes]
  result = join("--", [prefix, join("--", axes)])
}
group "default" { targets = ["t0", "t39", "base"] }

target "t0" {
  name     = elem("t0", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = []
  args     = { P = p, I = "0", U = upper(p) }
  tags     = ["${registry}/t0:${p}"]
  contexts = { up = "target:base" }
}

target "t1" {
  name     = elem("t1", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t0", [p])]
  args     = { P = p, I = "1", U = upper(p) }
  tags     = ["${registry}/t1:${p}"]
  contexts = { up = "target:t0--dev" }
}

target "t2" {
  name     = elem("t2", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t1", [p])]
  args     = { P = p, I = "2", U = upper(p) }
  tags     = ["${registry}/t2:${p}"]
  contexts = { up = "target:t1--dev" }
}

target "t3" {
  name     = elem("t3", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t2", [p])]
  args     = { P = p, I = "3", U = upper(p) }
  tags     = ["${registry}/t3:${p}"]
  contexts = { up = "target:t2--dev" }
}

target "t4" {
  name     = elem("t4", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t3", [p])]
  args     = { P = p, I = "4", U = upper(p) }
  tags     = ["${registry}/t4:${p}"]
  contexts = { up = "target:t3--dev" }
}

target "t5" {
  name     = elem("t5", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t4", [p])]
  args     = { P = p, I = "5", U = upper(p) }
  tags     = ["${registry}/t5:${p}"]
  contexts = { up = "target:t4--dev" }
}

target "t6" {
  name     = elem("t6", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t5", [p])]
  args     = { P = p, I = "6", U = upper(p) }
  tags     = ["${registry}/t6:${p}"]
  contexts = { up = "target:t5--dev" }
}

target "t7" {
  name     = elem("t7", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t6", [p])]
  args     = { P = p, I = "7", U = upper(p) }
  tags     = ["${registry}/t7:${p}"]
  contexts = { up = "target:t6--dev" }
}

target "t8" {
  name     = elem("t8", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t7", [p])]
  args     = { P = p, I = "8", U = upper(p) }
  tags     = ["${registry}/t8:${p}"]
  contexts = { up = "target:t7--dev" }
}

target "t9" {
  name     = elem("t9", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t8", [p])]
  args     = { P = p, I = "9", U = upper(p) }
  tags     = ["${registry}/t9:${p}"]
  contexts = { up = "target:t8--dev" }
}

target "t10" {
  name     = elem("t10", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t9", [p])]
  args     = { P = p, I = "10", U = upper(p) }
  tags     = ["${registry}/t10:${p}"]
  contexts = { up = "target:t9--dev" }
}

target "t11" {
  name     = elem("t11", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t10", [p])]
  args     = { P = p, I = "11", U = upper(p) }
  tags     = ["${registry}/t11:${p}"]
  contexts = { up = "target:t10--dev" }
}

target "t12" {
  name     = elem("t12", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t11", [p])]
  args     = { P = p, I = "12", U = upper(p) }
  tags     = ["${registry}/t12:${p}"]
  contexts = { up = "target:t11--dev" }
}

target "t13" {
  name     = elem("t13", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t12", [p])]
  args     = { P = p, I = "13", U = upper(p) }
  tags     = ["${registry}/t13:${p}"]
  contexts = { up = "target:t12--dev" }
}

target "t14" {
  name     = elem("t14", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t13", [p])]
  args     = { P = p, I = "14", U = upper(p) }
  tags     = ["${registry}/t14:${p}"]
  contexts = { up = "target:t13--dev" }
}

target "t15" {
  name     = elem("t15", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t14", [p])]
  args     = { P = p, I = "15", U = upper(p) }
  tags     = ["${registry}/t15:${p}"]
  contexts = { up = "target:t14--dev" }
}

target "t16" {
  name     = elem("t16", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t15", [p])]
  args     = { P = p, I = "16", U = upper(p) }
  tags     = ["${registry}/t16:${p}"]
  contexts = { up = "target:t15--dev" }
}

target "t17" {
  name     = elem("t17", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t16", [p])]
  args     = { P = p, I = "17", U = upper(p) }
  tags     = ["${registry}/t17:${p}"]
  contexts = { up = "target:t16--dev" }
}

target "t18" {
  name     = elem("t18", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t17", [p])]
  args     = { P = p, I = "18", U = upper(p) }
  tags     = ["${registry}/t18:${p}"]
  contexts = { up = "target:t17--dev" }
}

target "t19" {
  name     = elem("t19", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t18", [p])]
  args     = { P = p, I = "19", U = upper(p) }
  tags     = ["${registry}/t19:${p}"]
  contexts = { up = "target:t18--dev" }
}

target "t20" {
  name     = elem("t20", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t19", [p])]
  args     = { P = p, I = "20", U = upper(p) }
  tags     = ["${registry}/t20:${p}"]
  contexts = { up = "target:t19--dev" }
}

target "t21" {
  name     = elem("t21", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t20", [p])]
  args     = { P = p, I = "21", U = upper(p) }
  tags     = ["${registry}/t21:${p}"]
  contexts = { up = "target:t20--dev" }
}

target "t22" {
  name     = elem("t22", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t21", [p])]
  args     = { P = p, I = "22", U = upper(p) }
  tags     = ["${registry}/t22:${p}"]
  contexts = { up = "target:t21--dev" }
}

target "t23" {
  name     = elem("t23", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t22", [p])]
  args     = { P = p, I = "23", U = upper(p) }
  tags     = ["${registry}/t23:${p}"]
  contexts = { up = "target:t22--dev" }
}

target "t24" {
  name     = elem("t24", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t23", [p])]
  args     = { P = p, I = "24", U = upper(p) }
  tags     = ["${registry}/t24:${p}"]
  contexts = { up = "target:t23--dev" }
}

target "t25" {
  name     = elem("t25", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t24", [p])]
  args     = { P = p, I = "25", U = upper(p) }
  tags     = ["${registry}/t25:${p}"]
  contexts = { up = "target:t24--dev" }
}

target "t26" {
  name     = elem("t26", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t25", [p])]
  args     = { P = p, I = "26", U = upper(p) }
  tags     = ["${registry}/t26:${p}"]
  contexts = { up = "target:t25--dev" }
}

target "t27" {
  name     = elem("t27", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t26", [p])]
  args     = { P = p, I = "27", U = upper(p) }
  tags     = ["${registry}/t27:${p}"]
  contexts = { up = "target:t26--dev" }
}

target "t28" {
  name     = elem("t28", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t27", [p])]
  args     = { P = p, I = "28", U = upper(p) }
  tags     = ["${registry}/t28:${p}"]
  contexts = { up = "target:t27--dev" }
}

target "t29" {
  name     = elem("t29", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t28", [p])]
  args     = { P = p, I = "29", U = upper(p) }
  tags     = ["${registry}/t29:${p}"]
  contexts = { up = "target:t28--dev" }
}

target "t30" {
  name     = elem("t30", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t29", [p])]
  args     = { P = p, I = "30", U = upper(p) }
  tags     = ["${registry}/t30:${p}"]
  contexts = { up = "target:t29--dev" }
}

target "t31" {
  name     = elem("t31", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t30", [p])]
  args     = { P = p, I = "31", U = upper(p) }
  tags     = ["${registry}/t31:${p}"]
  contexts = { up = "target:t30--dev" }
}

target "t32" {
  name     = elem("t32", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t31", [p])]
  args     = { P = p, I = "32", U = upper(p) }
  tags     = ["${registry}/t32:${p}"]
  contexts = { up = "target:t31--dev" }
}

target "t33" {
  name     = elem("t33", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t32", [p])]
  args     = { P = p, I = "33", U = upper(p) }
  tags     = ["${registry}/t33:${p}"]
  contexts = { up = "target:t32--dev" }
}

target "t34" {
  name     = elem("t34", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t33", [p])]
  args     = { P = p, I = "34", U = upper(p) }
  tags     = ["${registry}/t34:${p}"]
  contexts = { up = "target:t33--dev" }
}

target "t35" {
  name     = elem("t35", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t34", [p])]
  args     = { P = p, I = "35", U = upper(p) }
  tags     = ["${registry}/t35:${p}"]
  contexts = { up = "target:t34--dev" }
}

target "t36" {
  name     = elem("t36", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t35", [p])]
  args     = { P = p, I = "36", U = upper(p) }
  tags     = ["${registry}/t36:${p}"]
  contexts = { up = "target:t35--dev" }
}

target "t37" {
  name     = elem("t37", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t36", [p])]
  args     = { P = p, I = "37", U = upper(p) }
  tags     = ["${registry}/t37:${p}"]
  contexts = { up = "target:t36--dev" }
}

target "t38" {
  name     = elem("t38", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t37", [p])]
  args     = { P = p, I = "38", U = upper(p) }
  tags     = ["${registry}/t38:${p}"]
  contexts = { up = "target:t37--dev" }
}

target "t39" {
  name     = elem("t39", [p])
  matrix   = { p = jsondecode(profiles) }
  inherits = [elem("t38", [p])]
  args     = { P = p, I = "39", U = upper(p) }
  tags     = ["${registry}/t39:${p}"]
  contexts = { up = "target:t38--dev" }
}
target "base" {
  args = { X = try(nope, "x"), Y = try(nope, "y") }
}
