variable "env_sys_names" { default = "[\"debian\"]" }
variable "cargo_profile" { default = "dev" }
group "default" { targets = ["app"] }
target "app" { args = { sys = env_sys_names, p = cargo_profile } }
