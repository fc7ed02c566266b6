ALTER TABLE `users` ADD `worker_id` text;--> statement-breakpoint
ALTER TABLE `users` ADD `department_id` text;