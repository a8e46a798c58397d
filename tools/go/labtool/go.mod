// labtool: the static binary inside the lab cluster's pause and test images (no dependencies).
module laas.local/tools/labtool

go 1.24.0
