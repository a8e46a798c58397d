// The pod sandbox ("pause") binary of the lab images: holds a pod's namespaces open, reaps
// zombies and exits 0 on SIGINT/SIGTERM. Standard library only.
module laas.local/tools/pause

go 1.26
