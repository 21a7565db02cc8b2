# --context=CTX: no SELinux here: ignored with cp's warning
echo 1 > a
$CP --context=system_u:object_r:tmp_t:s0 a b
