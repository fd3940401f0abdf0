variable "env_sys_names" { default = "[\"debian\"]" }
group "default" { targets = ["app"] }
target "app" { args = { sys = env_sys_names } }
